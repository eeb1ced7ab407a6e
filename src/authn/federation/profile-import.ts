// Owns copying upstream profile values into the customer's profile, only as the customer allowed: the
// first time a page lists what would be copied (each field can be unticked); later sign-ins refresh only
// the allowed fields, and never a value someone else (the customer, an admin) set since.
import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import type { FlowStore } from '../../flows/store.ts';
import { federationFlow } from '../../flows/kinds/federation.ts';
import type { SecretBox } from '../../security/envelope.ts';
import type { ImportQueries } from './import-queries.ts';
import { IMPORTABLE_FIELDS, type ImportableField } from './presets.ts';

export const socialSource = (connector: string) => `social:${connector}`;

export const FIELD_LABELS: Record<ImportableField, string> = {
  name: 'Full name', given_name: 'First name', family_name: 'Last name', nickname: 'Nickname',
  picture: 'Profile picture', birthdate: 'Date of birth', locale: 'Language', zoneinfo: 'Time zone',
};

export type UpstreamProfile = Partial<Record<ImportableField, string>>;

/** How the held sign-in ends once the customer chose: a plain login, an interactive one (passkey offer), or after a second factor. */
export type HeldFinish = 'login' | 'interactive' | 'second_factor';

export interface HeldSignIn {
  accountId: string;
  amr: string[];
  finish: HeldFinish;
  connector: string;
}

export interface ImportOffer {
  field: ImportableField;
  label: string;
  value: string;
  /** The value the profile holds now, when another source (the customer, an admin) set it. */
  current?: string | undefined;
  checked: boolean;
}

const KIND = federationFlow;
const STATE = 'import';
const TTL_SECONDS = 1800;
const heldSchema = z.object({ accountId: z.string(), amr: z.array(z.string()), finish: z.enum(['login', 'interactive', 'second_factor']), connector: z.string(), profile: z.string() });
const profileSchema = z.partialRecord(z.enum(IMPORTABLE_FIELDS), z.string());

export interface ProfileImportDeps {
  db: Db;
  queries: ImportQueries;
  flows: FlowStore;
  box: SecretBox;
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export function createProfileImport(deps: ProfileImportDeps) {
  const { db, queries, flows, box } = deps;
  const sealContext = (uid: string) => `federation-import:${uid}`;

  async function offers(accountId: string, connector: string, profile: UpstreamProfile): Promise<ImportOffer[]> {
    const current = await queries.findProfileValues(accountId);
    return IMPORTABLE_FIELDS.filter((field) => profile[field] !== undefined).map((field) => {
      const now = current.get(field);
      // A value the customer (or anyone but this connector) set stays unless the customer ticks the box.
      const foreign = now !== undefined && now.source !== socialSource(connector) && now.value !== profile[field];
      return { field, label: FIELD_LABELS[field], value: profile[field]!, current: foreign ? String(now.value) : undefined, checked: !foreign };
    });
  }

  async function writeValues(accountId: string, connector: string, values: [ImportableField, string][], trx: Db): Promise<void> {
    for (const [field, value] of values) await queries.upsertProfileValue(accountId, field, value, socialSource(connector), trx);
    if (values.length) await deps.emit({ type: 'profile.updated', accountId, data: { fields: values.map(([f]) => f), source: socialSource(connector) } }, trx);
  }

  return {
    /**
     * At each sign-in through `connector`: with a choice on record, refreshes the allowed fields (only those
     * this connector wrote or nobody did) and answers 'done'; without one, 'ask' when there is anything to offer.
     */
    async onSignIn(input: { accountId: string; connector: string; profile: UpstreamProfile }): Promise<'ask' | 'done'> {
      const allowed = await queries.findImportPermission(input.accountId, input.connector);
      if (!allowed) return Object.keys(input.profile).length > 0 ? 'ask' : 'done';
      const current = await queries.findProfileValues(input.accountId);
      const changed = IMPORTABLE_FIELDS.filter((field) => {
        const value = input.profile[field];
        const now = current.get(field);
        return allowed.includes(field) && value !== undefined && (!now || (now.source === socialSource(input.connector) && now.value !== value));
      }).map((field): [ImportableField, string] => [field, input.profile[field]!]);
      if (changed.length) await db.transaction((trx) => writeValues(input.accountId, input.connector, changed, trx));
      return 'done';
    },

    /** Keeps the verified sign-in server-side while the customer looks at the import page of this interaction. */
    async hold(interactionUid: string, held: HeldSignIn, profile: UpstreamProfile): Promise<void> {
      for (let old = await flows.findFlowForInteraction(interactionUid, KIND); old; old = await flows.findFlowForInteraction(interactionUid, KIND)) await flows.deleteFlow(old.id);
      await flows.insertFlow({
        kind: KIND, state: STATE, interactionUid, accountId: held.accountId, ttlSeconds: TTL_SECONDS,
        context: { ...held, profile: box.encrypt(JSON.stringify(profile), sealContext(interactionUid)) },
      });
    },

    /** The import waiting on this interaction's page: what would be copied, each with its checkbox state. */
    async pendingImport(interactionUid: string): Promise<{ held: HeldSignIn; offers: ImportOffer[] } | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, KIND);
      const parsed = flow?.state === STATE ? heldSchema.safeParse(flow.context) : undefined;
      if (!flow || !parsed?.success) return undefined;
      const { profile, ...held } = parsed.data;
      const values = profileSchema.parse(JSON.parse(box.decrypt(profile, sealContext(interactionUid))));
      return { held, offers: await offers(held.accountId, held.connector, values) };
    },

    /**
     * The customer's choice: `chosen` fields are copied now (an explicit tick replaces even a value they set
     * themselves) and allowed from now on; the others never are. Returns the held sign-in, once.
     */
    async applyChoice(interactionUid: string, chosen: ReadonlySet<string>): Promise<HeldSignIn | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, KIND);
      const parsed = flow?.state === STATE ? heldSchema.safeParse(flow.context) : undefined;
      if (!flow || !parsed?.success) return undefined;
      const { profile, ...held } = parsed.data;
      const values = profileSchema.parse(JSON.parse(box.decrypt(profile, sealContext(interactionUid))));
      const allowed = IMPORTABLE_FIELDS.filter((field) => values[field] !== undefined && chosen.has(field));
      const done = await db.transaction(async (trx) => {
        if (!(await flows.finishFlow(flow, trx))) return false;
        // A choice already on record (another tab) stands; this one only ends the sign-in.
        if (!(await queries.insertImportPermission(held.accountId, held.connector, allowed, trx))) return true;
        await writeValues(held.accountId, held.connector, allowed.map((field) => [field, values[field]!]), trx);
        return true;
      });
      return done ? held : undefined;
    },
  };
}

export type ProfileImport = ReturnType<typeof createProfileImport>;
