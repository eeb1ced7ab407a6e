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
const ALL = 'all';

export function createConnectorStore(db: Db, box: SecretBox) {
  const secretContext = (id: string) => `connector:${id}`;
  const cache = createReadCache<StoredConnector[]>(CACHE_MS);

  function toConnector(row: ConnectorRow): StoredConnector | undefined {
    const settings = settingsSchema.safeParse(row.settings);
    const kind = CONNECTOR_KINDS.find((k) => k === row.kind);
    if (!settings.success || !kind) return undefined;
    try {
      // A row sealed under another FOYER_SECRET cannot be opened: that connector is not offered.
      const secrets = row.secrets_encrypted ? secretsSchema.parse(JSON.parse(box.decrypt(row.secrets_encrypted, secretContext(row.id)))) : {};
      const input: ConnectorInput = { id: row.id, kind, name: row.name, enabled: row.enabled, ...settings.data, ...secrets };
      return { ...resolveConnector(input), version: new Date(row.updated_at).toISOString() };
    } catch {
      return undefined; // a row left incomplete or unreadable: not offered, rather than failing every page
    }
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
        const { id, kind, name, enabled, clientSecret, privateKey, ...settings } = input;
        const secrets = clientSecret || privateKey ? box.encrypt(JSON.stringify({ clientSecret, privateKey }), secretContext(id)) : null;
        const rows = await db('connectors').insert({
          id, kind, name: name ?? resolveConnector(input).name, enabled, settings: JSON.stringify(settings), secrets_encrypted: secrets,
        }).onConflict('id').ignore().returning('id') as unknown[];
        added += rows.length;
      }
      cache.forget(ALL);
      return added;
    },

    async setConnectorEnabled(id: string, enabled: boolean): Promise<boolean> {
      cache.forget(ALL);
      return (await db('connectors').where({ id }).update({ enabled, updated_at: db.fn.now() })) === 1;
    },
  };
}

export type ConnectorStore = ReturnType<typeof createConnectorStore>;
