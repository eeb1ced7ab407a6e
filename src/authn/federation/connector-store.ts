// Owns the connectors table: the admin's upstream providers, authoritative over the config file (which
// only seeds ids that are absent). Client secrets and Apple keys are sealed with the secret box.
import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { createReadCache } from '../../cache/read-cache.ts';
import type { SecretBox } from '../../security/envelope.ts';
import { CONNECTOR_KINDS, IMPORTABLE_FIELDS, resolveConnector, type ConnectorInput, type ResolvedConnector } from './presets.ts';

interface ConnectorRow {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: unknown;
  secrets_encrypted: string | null;
  updated_at: Date;
}

const profileMapping = z.object(Object.fromEntries(IMPORTABLE_FIELDS.map((f) => [f, z.string().max(200).optional()]))).partial();
const settingsSchema = z.object({
  clientId: z.string().min(1),
  issuer: z.string().optional(),
  authorizationEndpoint: z.string().optional(),
  tokenEndpoint: z.string().optional(),
  userinfoEndpoint: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  mapping: z.object({ subject: z.string().optional(), email: z.string().optional(), emailVerified: z.union([z.string(), z.boolean()]).optional(), profile: profileMapping.optional() }).optional(),
  pkce: z.boolean().optional(),
  clientAuth: z.enum(['basic', 'post']).optional(),
  responseMode: z.literal('form_post').optional(),
  tenant: z.string().optional(),
  teamId: z.string().optional(),
  keyId: z.string().optional(),
});
const secretsSchema = z.object({ clientSecret: z.string().optional(), privateKey: z.string().optional() });

/** A connector with its row's version, so protocol configurations can be cached until it changes. */
export interface StoredConnector extends ResolvedConnector {
  version: string;
}

const CACHE_MS = 5000;

/** Which secrets the sealed column holds, learnt by opening it (the values go no further). */
function adminViewOf(row: ConnectorRow & { created_at: Date }, open: () => { clientSecret?: string | undefined; privateKey?: string | undefined }, usable: boolean): AdminConnector {
  let held: { clientSecret?: string | undefined; privateKey?: string | undefined } = {};
  try {
    held = row.secrets_encrypted ? open() : {};
  } catch {
    held = {};
  }
  const settings = settingsSchema.safeParse(row.settings);
  return {
    id: row.id, kind: row.kind, name: row.name, enabled: row.enabled, settings: settings.success ? settings.data : {},
    hasClientSecret: Boolean(held.clientSecret), hasPrivateKey: Boolean(held.privateKey), usable,
    createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
  };
}
const ALL = 'all';

export function createConnectorStore(db: Db, box: SecretBox) {
  const secretContext = (id: string) => `connector:${id}`;
  const cache = createReadCache<StoredConnector[]>(CACHE_MS);
  const adminView = (row: ConnectorRow) => adminViewOf(row as ConnectorRow & { created_at: Date },
    () => secretsSchema.parse(JSON.parse(box.decrypt(row.secrets_encrypted!, secretContext(row.id)))), toConnector(row) !== undefined);

  /** The row as the admin stored it, secrets opened; throws when it cannot be read (another FOYER_SECRET). */
  function inputOf(row: ConnectorRow): ConnectorInput {
    const settings = settingsSchema.parse(row.settings);
    const kind = CONNECTOR_KINDS.find((k) => k === row.kind);
    if (!kind) throw new Error(`unknown connector kind ${row.kind}`);
    const secrets = row.secrets_encrypted ? secretsSchema.parse(JSON.parse(box.decrypt(row.secrets_encrypted, secretContext(row.id)))) : {};
    return { id: row.id, kind, name: row.name, enabled: row.enabled, ...settings, ...secrets };
  }

  function toConnector(row: ConnectorRow): StoredConnector | undefined {
    try {
      // A row sealed under another FOYER_SECRET cannot be opened: that connector is not offered.
      return { ...resolveConnector(inputOf(row)), version: new Date(row.updated_at).toISOString() };
    } catch {
      return undefined; // a row left incomplete or unreadable: not offered, rather than failing every page
    }
  }

  /** The columns of a connector: settings in the clear, secrets sealed to the row's id. */
  function columnsOf(input: ConnectorInput) {
    const { id, kind, name, enabled, clientSecret, privateKey, ...settings } = input;
    const secrets = clientSecret || privateKey ? box.encrypt(JSON.stringify({ clientSecret, privateKey }), secretContext(id)) : null;
    return { id, kind, name: name ?? resolveConnector(input).name, enabled, settings: JSON.stringify(settings), secrets_encrypted: secrets };
  }

  /** Reads the row under a lock, lets `change` make the new input (checked by its kind's rules), and writes it. */
  async function rewrite(id: string, change: (current: ConnectorInput) => ConnectorInput): Promise<AdminConnector | undefined> {
    const saved = await db.transaction(async (trx) => {
      const row = await trx('connectors').where({ id }).forUpdate().first() as ConnectorRow | undefined;
      if (!row) return undefined;
      const next = change(inputOf(row));
      resolveConnector(next); // ConnectorSettingsError names what the kind still needs
      const { id: _id, kind: _kind, ...columns } = columnsOf(next);
      const [updated] = await trx('connectors').where({ id }).update({ ...columns, updated_at: trx.fn.now() }).returning('*') as ConnectorRow[];
      return updated;
    });
    cache.forget(ALL);
    return saved && adminView(saved);
  }

  return {
    /** Every usable connector, enabled or not, in the order they were added. */
    async listConnectors(): Promise<StoredConnector[]> {
      return (await cache.get(ALL, async () => {
        const rows = await db('connectors').orderBy([{ column: 'created_at' }, { column: 'id' }]) as ConnectorRow[];
        return rows.map(toConnector).filter((c): c is StoredConnector => c !== undefined);
      })) ?? [];
    },

    /** Inserts each connector whose id has no row yet; rows already there (the admin's) are left alone. */
    async seedConnectors(inputs: ConnectorInput[]): Promise<number> {
      let added = 0;
      for (const input of inputs) {
        resolveConnector(input); // refuses incomplete settings before anything is stored
        const rows = await db('connectors').insert(columnsOf(input)).onConflict('id').ignore().returning('id') as unknown[];
        added += rows.length;
      }
      cache.forget(ALL);
      return added;
    },

    /** Every row as the admin pages and API show it (never a secret), unreadable ones included. */
    async listAdminConnectors(): Promise<AdminConnector[]> {
      return (await db('connectors').orderBy([{ column: 'created_at' }, { column: 'id' }]) as ConnectorRow[]).map(adminView);
    },
    async findAdminConnector(id: string): Promise<AdminConnector | undefined> {
      const row = await db('connectors').where({ id }).first() as ConnectorRow | undefined;
      return row && adminView(row);
    },

    /** Adds a connector; undefined when the id is taken. Throws ConnectorSettingsError when the kind needs more. */
    async createConnector(input: ConnectorInput): Promise<AdminConnector | undefined> {
      resolveConnector(input);
      const [row] = await db('connectors').insert(columnsOf(input)).onConflict('id').ignore().returning('*') as ConnectorRow[];
      cache.forget(ALL);
      return row && adminView(row);
    },

    /** Changes settings (only what is given; secrets stay). Undefined when there is no such connector. */
    async updateConnector(id: string, changes: Partial<Omit<ConnectorInput, 'id' | 'kind' | 'clientSecret' | 'privateKey' | 'enabled'>>): Promise<AdminConnector | undefined> {
      return rewrite(id, (current) => ({ ...current, ...changes }));
    },

    /** Replaces the client secret or Apple key the upstream issued; the old one is forgotten. */
    async replaceConnectorSecrets(id: string, secrets: { clientSecret?: string | undefined; privateKey?: string | undefined }): Promise<AdminConnector | undefined> {
      return rewrite(id, (current) => ({ ...current, ...(secrets.clientSecret ? { clientSecret: secrets.clientSecret } : {}), ...(secrets.privateKey ? { privateKey: secrets.privateKey } : {}) }));
    },

    async setConnectorEnabled(id: string, enabled: boolean): Promise<boolean> {
      cache.forget(ALL);
      return (await db('connectors').where({ id }).update({ enabled, updated_at: db.fn.now() })) === 1;
    },
  };
}

export type ConnectorStore = ReturnType<typeof createConnectorStore>;

/** A connector as administrators see it: its settings and whether secrets are held, never their values. */
export interface AdminConnector {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  hasClientSecret: boolean;
  hasPrivateKey: boolean;
  /** False when the row cannot be used (sealed under another FOYER_SECRET, or settings its kind refuses). */
  usable: boolean;
  createdAt: Date;
  updatedAt: Date;
}
