// Owns changing the profile schema at run time (the admin API): defining, changing, reordering and removing
// fields, with the rules that keep stored values, registered clients and released claims coherent.
import { z } from 'zod';
import { askRuleSchema, profileFieldSchema, type ProfileFieldDefinition } from '../config/profile-fields.ts';
import type { Db } from '../db/create-db.ts';
import { AppError } from '../errors/app-error.ts';
import { describeIssue } from '../i18n/zod.ts';
import type { ProfileQueries } from './queries.ts';
import { claimNameOf } from './schema.ts';

export interface ProfileFieldAdminDeps {
  db: Db;
  queries: ProfileQueries;
  /** Reloads this instance's schema snapshot after a change. */
  reload(): Promise<unknown>;
  claimNamespace: string;
  /** Whether the consent registry has this purpose. */
  purposeExists(id: string): Promise<boolean>;
  /** Scopes a field may not be released under: openid, offline_access and the APIs' scopes. */
  reservedScopes(): Promise<string[]>;
  /** Clients registered with any of these scopes, with the ones they hold. */
  clientsWithScopes(scopes: string[]): Promise<{ clientId: string; scopes: string[] }[]>;
  /** Who names the field (webhooks, clients' profile needs): a removal would leave them dangling. */
  fieldUsers(key: string): Promise<string[]>;
}

export interface AdminFieldView {
  key: string;
  position: number;
  /** The claim name an app receives the value under. */
  claimName: string;
  /** Accounts holding a value. */
  values: number;
  definition: ProfileFieldDefinition;
}

const shape = profileFieldSchema.shape;
/** What a change may set (not the key or the type); null removes an optional setting. The result is checked as a whole definition. */
export const fieldChangeSchema = z.object({
  label: shape.label,
  help: shape.help.unwrap().nullable(),
  purpose: shape.purpose.unwrap(),
  scope: shape.scope.unwrap(),
  claim: shape.claim.unwrap().nullable(),
  ask: askRuleSchema,
  priority: shape.priority.unwrap(),
  enabled: z.boolean(),
  validation: shape.validation.unwrap(),
  options: shape.options.unwrap().nullable(),
}).partial().strict();

export type FieldChanges = z.infer<typeof fieldChangeSchema>;

const notFound = () => new AppError('profile_field.not_found', 'There is no such profile field.', 404);

export function createProfileFieldAdmin(deps: ProfileFieldAdminDeps) {
  const { db, queries } = deps;

  async function list(): Promise<AdminFieldView[]> {
    const [definitions, counts] = await Promise.all([queries.listFieldDefinitions(), queries.countValuesByField()]);
    return definitions.map((definition, position) => ({
      key: definition.key, position, claimName: claimNameOf(definition, deps.claimNamespace), values: counts.get(definition.key) ?? 0, definition,
    }));
  }
  async function viewOf(key: string): Promise<AdminFieldView> {
    const found = (await list()).find((f) => f.key === key);
    if (!found) throw notFound();
    return found;
  }

  /** A scope no field carries any more disappears from the Provider: clients registered with it would stop working. */
  async function assertScopeKept(previous: ProfileFieldDefinition, nextScope: string | null, others: ProfileFieldDefinition[]): Promise<void> {
    const lost = previous.scope;
    if (lost === null || lost === nextScope || others.some((o) => o.scope === lost)) return;
    const holders = await deps.clientsWithScopes([lost]);
    if (holders.length) {
      throw new AppError('profile_field.scope_in_use', `scope: clients ${holders.map((h) => h.clientId).join(', ')} are registered with the scope ${lost}, which no other field carries; change them first, or disable the field instead.`, 409);
    }
  }

  /** What a definition must pass against the rest of the schema, the registry and the clients; what did not change is not judged again. */
  async function check(next: ProfileFieldDefinition, previous: ProfileFieldDefinition | undefined, others: ProfileFieldDefinition[]): Promise<void> {
    if (previous && previous.type !== next.type && ((await queries.countValuesByField()).get(next.key) ?? 0) > 0) {
      throw new AppError('profile_field.type_locked', `type: accounts hold values of ${next.key} as ${previous.type}; define a new field instead of changing its type.`, 409);
    }
    if (previous?.purpose !== next.purpose && !(await deps.purposeExists(next.purpose))) {
      throw new AppError('request.invalid', `purpose: there is no purpose "${next.purpose}" (see /admin/api/purposes).`, 400);
    }
    if (next.scope !== null && previous?.scope !== next.scope && (await deps.reservedScopes()).includes(next.scope)) {
      throw new AppError('request.invalid', `scope: "${next.scope}" cannot release profile claims (it is openid, offline_access or an API's scope).`, 400);
    }
    const claim = claimNameOf(next, deps.claimNamespace);
    const taken = others.find((o) => claimNameOf(o, deps.claimNamespace) === claim);
    if (taken && (!previous || claimNameOf(previous, deps.claimNamespace) !== claim)) {
      throw new AppError('profile_field.claim_taken', `claim: the field ${taken.key} is already released as ${claim}.`, 409);
    }
    if (previous) await assertScopeKept(previous, next.scope, others);
  }

  // The checks ask other modules (registry, clients, webhooks) through the root handle, so they run before
  // the write rather than inside a transaction (the embedded database has a single connection).
  async function save(key: string, build: (previous: ProfileFieldDefinition | undefined) => ProfileFieldDefinition, mustExist: boolean): Promise<{ field: AdminFieldView; created: boolean }> {
    const found = await queries.findFieldDefinition(key);
    if (!found && mustExist) throw notFound();
    const next = build(found?.definition);
    await check(next, found?.definition, (await queries.listFieldDefinitions()).filter((d) => d.key !== key));
    await queries.upsertFieldDefinition(next, found?.position ?? (await queries.nextFieldPosition()));
    await deps.reload();
    return { field: await viewOf(key), created: !found };
  }

  return {
    list,
    find: viewOf,
    /** Defines the field, or replaces its definition (keeping its place in the order). */
    define: (definition: ProfileFieldDefinition) => save(definition.key, () => definition, false),
    /** Changes only what is given; the result must still be a valid definition. */
    async change(key: string, changes: FieldChanges): Promise<AdminFieldView> {
      return (await save(key, (previous) => {
        const merged: Record<string, unknown> = { ...previous, ...changes };
        for (const [name, value] of Object.entries(changes)) if (value === null && name !== 'scope') delete merged[name];
        const parsed = profileFieldSchema.safeParse(merged);
        if (!parsed.success) {
          throw new AppError('request.invalid', describeIssue(parsed.error.issues[0]!), 400);
        }
        return parsed.data;
      }, true)).field;
    },
    /** Puts these fields first, in this order; the others follow in the order they had. */
    async reorder(keys: string[]): Promise<AdminFieldView[]> {
      await db.transaction(async (trx) => {
        const current = (await queries.listFieldDefinitions(trx)).map((d) => d.key);
        const unknown = keys.find((k) => !current.includes(k));
        if (unknown) throw new AppError('request.invalid', `keys: there is no profile field ${unknown}.`, 400);
        await queries.setFieldPositions([...keys, ...current.filter((k) => !keys.includes(k))], trx);
      });
      await deps.reload();
      return list();
    },
    /** Removes a field nobody holds a value of and nothing names; otherwise disabling it is the way. */
    async remove(key: string): Promise<void> {
      const found = await queries.findFieldDefinition(key);
      if (!found) throw notFound();
      const values = (await queries.countValuesByField()).get(key) ?? 0;
      if (values > 0) throw new AppError('profile_field.has_values', `${values} account(s) hold a value of ${key}; disable the field instead (PATCH {"enabled": false}): the values are kept, never asked or released.`, 409);
      const users = await deps.fieldUsers(key);
      if (users.length) throw new AppError('profile_field.in_use', `${key} is named by ${users.join(', ')}; remove it there first, or disable the field instead.`, 409);
      await assertScopeKept(found.definition, null, (await queries.listFieldDefinitions()).filter((d) => d.key !== key));
      await db.transaction((trx) => queries.deleteFieldDefinition(key, trx));
      await deps.reload();
    },
  };
}

export type ProfileFieldAdmin = ReturnType<typeof createProfileFieldAdmin>;
