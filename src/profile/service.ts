// Owns progressive profiling for the rest of Foyer: the schema snapshot (seeded from config, the database
// authoritative), what a sign-in should ask, saving answers and "Not now", and the account's own view.
import type { ProfileFieldDefinition } from '../config/profile-fields.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { currentVisit, decideProfileFields, type ClientProfileNeeds, type ProfileDecision } from './policy.ts';
import type { ProfileQueries } from './queries.ts';
import { buildProfileSchema, pickLocale, type ProfileField, type ProfileSchema } from './schema.ts';
import { validateFieldInput, validateFieldValue } from './validate.ts';

export interface ProfileSettings {
  fields: ProfileFieldDefinition[];
  maxOptionalPerVisit: number;
  skipBackoffDays: number;
  visitGapHours: number;
  claimNamespace: string;
}

export interface ProfileServiceDeps {
  db: Db;
  queries: ProfileQueries;
  events: Pick<EventOutbox, 'emit'>;
  settings: ProfileSettings;
}

/** Who set a value: the customer, an upstream at sign-in, an admin, an app through the API, an import. */
export type ProfileSource = 'customer' | 'admin' | 'api' | 'import' | `social:${string}`;

export interface FieldView {
  key: string;
  claim: string;
  type: ProfileField['type'];
  label: string;
  help: string | undefined;
  purpose: string;
  scope: string | null;
  options: { value: string; label: string }[];
  validation: ProfileField['validation'];
}

export interface AccountFieldView extends FieldView {
  value: unknown;
  /** Provenance: who set the value and when; null while there is no value. */
  source: string | null;
  updatedAt: Date | null;
}

export type AnswerResult =
  | { status: 'saved'; saved: string[]; skipped: string[] }
  | { status: 'invalid'; errors: Record<string, string> };

export type SetValueResult = { status: 'ok' } | { status: 'unknown_field' } | { status: 'invalid'; message: string };

// The profile prompt skips counting a visit only when the last one is inside the gap by more than this.
const VISIT_READ_MARGIN_SECONDS = 60;
const SOURCE = /^(customer|admin|api|import|social:[\w.-]{1,40})$/;

/** The standard claim a customer's language is kept under (OIDC Core 5.1), a profile value like any other. */
export const LOCALE_FIELD = 'locale';

export function createProfileService(deps: ProfileServiceDeps) {
  const { db, queries, settings } = deps;
  let snapshot: ProfileSchema | undefined;

  async function load(): Promise<ProfileSchema> {
    const [definitions, version] = await Promise.all([queries.listFieldDefinitions(), queries.fieldsVersion()]);
    snapshot = buildProfileSchema(definitions, { claimNamespace: settings.claimNamespace, version });
    return snapshot;
  }
  const schema = (): ProfileSchema => {
    if (!snapshot) throw new Error('the profile schema is not loaded yet');
    return snapshot;
  };

  function viewOf(field: ProfileField, locales: string[]): FieldView {
    return {
      key: field.key, claim: field.claimName, type: field.type, purpose: field.purpose, scope: field.scope, validation: field.validation,
      label: pickLocale(field.label, locales) ?? field.key,
      help: pickLocale(field.help, locales),
      options: (field.options ?? []).map((o) => ({ value: o.value, label: pickLocale(o.label, locales) ?? o.value })),
    };
  }

  return {
    /** Seeds the config's fields absent from the database, then loads the schema. Run at start. */
    async seedAndLoad(): Promise<ProfileSchema> {
      await queries.insertMissingFields(settings.fields);
      return load();
    },
    load,
    current: schema,
    /** Reloads when another instance (or the admin API) changed the schema; true when it did. */
    async reloadIfChanged(): Promise<boolean> {
      if (snapshot && (await queries.fieldsVersion()) === snapshot.version) return false;
      await load();
      return true;
    },
    async defineField(definition: ProfileFieldDefinition, position: number): Promise<void> {
      await queries.upsertFieldDefinition(definition, position);
      await load();
    },

    /** What this sign-in should ask. Reads the account's values, skips and visits; decides with the pure policy. */
    async decide(input: { accountId: string; client: ClientProfileNeeds; grantedScopes: string[]; interactive: boolean; now?: Date }): Promise<ProfileDecision & { visit: number }> {
      const now = input.now ?? new Date();
      // No fields defined: nothing can be due, and every sign-in is spared the reads.
      if (schema().fields.length === 0) return { required: [], optional: [], visit: 0 };
      const [values, skippedAt, visits] = await Promise.all([queries.listValues(input.accountId), queries.listSkips(input.accountId), queries.findVisits(input.accountId)]);
      const visit = currentVisit(visits, now, settings.visitGapHours);
      const askedThisVisit = new Set(visits?.askedVisit === visit ? visits.askedFields : []);
      const decision = decideProfileFields({
        fields: schema().fields, given: new Set(values.map((v) => v.field)), skippedAt, visit, askedThisVisit, client: input.client,
        grantedScopes: input.grantedScopes, interactive: input.interactive, now,
        maxOptionalPerVisit: settings.maxOptionalPerVisit, skipBackoffDays: settings.skipBackoffDays,
      });
      if (decision.optional.some((key) => !askedThisVisit.has(key))) await queries.noteAskedFields(input.accountId, visit, decision.optional);
      return { ...decision, visit };
    },
    /** Seeds these fields where absent (the demo's schema on a fresh start); the schema is loaded after. */
    seedFields: (fields: ProfileFieldDefinition[]) => queries.insertMissingFields(fields),
    /**
     * What the account's next visit would ask for an app granted these scopes (missing fields whose rule is due
     * by then, highest priority first, at most the per-visit limit), and the visit it would be. Reads only.
     */
    async nextVisit(input: { accountId: string; grantedScopes: string[]; locales: string[] }): Promise<{ visit: number; fields: FieldView[] }> {
      const [values, skippedAt, visits] = await Promise.all([queries.listValues(input.accountId), queries.listSkips(input.accountId), queries.findVisits(input.accountId)]);
      const visit = (visits?.visits ?? 0) + 1;
      if (schema().fields.length === 0) return { visit, fields: [] };
      const decision = decideProfileFields({
        fields: schema().fields, given: new Set(values.map((v) => v.field)), skippedAt, visit, askedThisVisit: new Set(), client: { required: [], optional: [] },
        grantedScopes: input.grantedScopes, interactive: true, now: new Date(),
        maxOptionalPerVisit: settings.maxOptionalPerVisit, skipBackoffDays: settings.skipBackoffDays,
      });
      return { visit, fields: decision.optional.flatMap((key) => { const f = schema().byKey.get(key); return f ? [viewOf(f, input.locales)] : []; }) };
    },
    /**
     * An interactive authorization completed: count it as a visit (at most one per visit gap). When the caller
     * read the time since the last visit and it is inside the gap by more than a minute, the counting statement
     * would change nothing, so it is not sent (the minute covers the time between that read and now).
     */
    async countVisit(accountId: string, secondsSinceVisit?: number | null): Promise<void> {
      if (typeof secondsSinceVisit === 'number' && secondsSinceVisit >= 0 && secondsSinceVisit < settings.visitGapHours * 3600 - VISIT_READ_MARGIN_SECONDS) return;
      await queries.countVisit(accountId, settings.visitGapHours);
    },

    fieldViews(keys: string[], locales: string[]): FieldView[] {
      return keys.flatMap((key) => {
        const field = schema().byKey.get(key);
        return field ? [viewOf(field, locales)] : [];
      });
    },

    /** The profile page's answers: all valid, or nothing saved. Empty optional fields count as "Not now". */
    async submitAnswers(input: { accountId: string; clientId: string; asked: ProfileDecision; read: (key: string) => string[]; locales: string[]; clientName: string }): Promise<AnswerResult> {
      const errors: Record<string, string> = {};
      const saved: { key: string; value: unknown }[] = [];
      const skipped: string[] = [];
      for (const key of [...input.asked.required, ...input.asked.optional]) {
        const field = schema().byKey.get(key);
        if (!field) continue;
        const label = viewOf(field, input.locales).label;
        const verdict = validateFieldInput(field, input.read(key), label);
        if (verdict.status === 'invalid') errors[key] = verdict.message;
        else if (verdict.status === 'ok') saved.push({ key, value: verdict.value });
        else if (input.asked.required.includes(key)) errors[key] = `${label} is needed by ${input.clientName}.`;
        else skipped.push(key);
      }
      if (Object.keys(errors).length) return { status: 'invalid', errors };
      await db.transaction(async (trx) => {
        for (const { key, value } of saved) {
          await queries.upsertValue(input.accountId, key, value, 'customer', input.clientId, trx);
          await queries.clearSkip(input.accountId, key, trx);
        }
        await queries.recordSkips(input.accountId, skipped, input.clientId, trx);
        if (saved.length) await deps.events.emit({ type: 'profile.updated', accountId: input.accountId, clientId: input.clientId, data: { fields: saved.map((s) => s.key), source: 'customer' } }, trx);
        if (skipped.length) await deps.events.emit({ type: 'profile.skipped', accountId: input.accountId, clientId: input.clientId, data: { fields: skipped } }, trx);
      });
      return { status: 'saved', saved: saved.map((s) => s.key), skipped };
    },
    /** "Not now": the optional fields shown are not asked again before the back-off. Required ones cannot be skipped. */
    async skipFields(input: { accountId: string; clientId: string; asked: ProfileDecision }): Promise<{ status: 'skipped' } | { status: 'required_missing' }> {
      if (input.asked.required.length) return { status: 'required_missing' };
      await db.transaction(async (trx) => {
        await queries.recordSkips(input.accountId, input.asked.optional, input.clientId, trx);
        await deps.events.emit({ type: 'profile.skipped', accountId: input.accountId, clientId: input.clientId, data: { fields: input.asked.optional } }, trx);
      });
      return { status: 'skipped' };
    },

    /** For the account pages: every field with its value, label, purpose and provenance (who set it, when). */
    async listAccountProfile(accountId: string, locales: string[] = ['en']): Promise<AccountFieldView[]> {
      const values = new Map((await queries.listValues(accountId)).map((v) => [v.field, v]));
      return schema().fields.map((field) => {
        const stored = values.get(field.key);
        return { ...viewOf(field, locales), value: stored?.value ?? null, source: stored?.source ?? null, updatedAt: stored?.updatedAt ?? null };
      });
    },
    /** Sets one field, checked like the forms, recording who set it. `value` null or '' clears it. */
    async setFieldValue(input: { accountId: string; field: string; value: unknown; source: ProfileSource; clientId?: string | null; trx?: Db }): Promise<SetValueResult> {
      const field = schema().byKey.get(input.field);
      if (!field) return { status: 'unknown_field' };
      if (!SOURCE.test(input.source)) throw new Error(`invalid profile source ${input.source}`);
      const verdict = validateFieldValue(field, input.value, pickLocale(field.label, ['en']) ?? field.key);
      if (verdict.status === 'invalid') return verdict;
      const write = async (trx: Db) => {
        if (verdict.status === 'empty') await queries.deleteValue(input.accountId, field.key, trx);
        else await queries.upsertValue(input.accountId, field.key, verdict.value, input.source, input.clientId ?? null, trx);
        await deps.events.emit({ type: 'profile.updated', accountId: input.accountId, clientId: input.clientId ?? null, data: { fields: [field.key], source: input.source, cleared: verdict.status === 'empty' } }, trx);
      };
      if (input.trx) await write(input.trx);
      else await db.transaction(write);
      return { status: 'ok' };
    },
    /** The customer's saved language tag (the `locale` value), if any. */
    async savedLocale(accountId: string): Promise<string | undefined> {
      const value = await queries.findValue(accountId, LOCALE_FIELD);
      return typeof value === 'string' ? value : undefined;
    },
    /**
     * Saves the customer's language as the `locale` value (a language tag the caller has checked). Where the
     * admin defined a `locale` field, its own rules apply; otherwise it is kept as an undefined field's value is,
     * released as the `locale` claim under the same rule.
     */
    async saveLocale(accountId: string, tag: string, source: ProfileSource = 'customer'): Promise<SetValueResult> {
      if (schema().byKey.has(LOCALE_FIELD)) return this.setFieldValue({ accountId, field: LOCALE_FIELD, value: tag, source });
      await db.transaction(async (trx) => {
        await queries.upsertValue(accountId, LOCALE_FIELD, tag, source, null, trx);
        await deps.events.emit({ type: 'profile.updated', accountId, clientId: null, data: { fields: [LOCALE_FIELD], source, cleared: false } }, trx);
      });
      return { status: 'ok' };
    },
    /** Like setFieldValue, from a form post (the account pages): `raw` is every value sent under the field's name. */
    async setFieldFromForm(input: { accountId: string; field: string; raw: string[]; locales?: string[] }): Promise<SetValueResult> {
      const field = schema().byKey.get(input.field);
      if (!field) return { status: 'unknown_field' };
      const verdict = validateFieldInput(field, input.raw, viewOf(field, input.locales ?? ['en']).label);
      if (verdict.status === 'invalid') return verdict;
      return this.setFieldValue({ accountId: input.accountId, field: input.field, value: verdict.status === 'ok' ? verdict.value : null, source: 'customer' });
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
