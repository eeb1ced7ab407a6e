// Owns the data export: one JSON document with everything Foyer holds about a customer, generic over the
// schema (every table with the account's rows), with hashes, seeds, secrets and token values left out — by
// column name, and inside JSON by key and by what a value is (a sealed value, an otpauth URI), at any depth.
import type { Db } from '../db/create-db.ts';
import type { PrivacyQueries } from './queries.ts';
import { findAccountColumns, type SchemaQueries } from './schema.ts';

export const EXPORT_FORMAT = 'foyer.export/1';

/** Columns never exported: credential material (hashes, sealed seeds, keys, token values, challenges). */
export const SECRET_COLUMN = /(hash|secret|encrypted|seed|^password$|token|public_key|challenge|user_handle)/i;

/** A value sealed with FOYER_SECRET (src/security/envelope.ts: `v1~<wrapped key>~<body>`), whatever holds it. */
const SEALED_VALUE = /^v\d+~[\w.-]+~[\w.-]+$/;
/** An authenticator enrolment URI carries its seed. */
const OTPAUTH_URI = /^otpauth:/i;

type Row = Record<string, unknown>;

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  generated_at: string;
  subject: string;
  account: Row;
  profile: Row[];
  identifiers: Row[];
  credentials: { password: { set: boolean; changed_at: unknown }; passkeys: Row[]; totp: Row[]; recovery_codes: Row[]; remembered_devices: Row[] };
  linked_identities: Row[];
  grants: Row[];
  sessions_and_tokens: Row[];
  consent_ledger: Row[];
  preferences: Record<string, Row[]>;
  audit_events: Row[];
  /** Every table holding rows of this account, by name (the sections above are views of these). */
  tables: Record<string, Row[]>;
  /** "table.column" (or "table.column.path.in.json") left out because they hold credential material. */
  redacted_columns: string[];
}

const plain = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value instanceof Date ? value.toISOString() : value);

const isSecretValue = (value: unknown) => typeof value === 'string' && (SEALED_VALUE.test(value) || OTPAUTH_URI.test(value));
const LEFT_OUT = Symbol('left out');

/** A value with secrets inside JSON left out: keys named like secrets, sealed values and otpauth URIs; each path noted. */
function scrub(value: unknown, path: string, redacted: Set<string>): unknown {
  if (isSecretValue(value)) {
    redacted.add(path);
    return LEFT_OUT;
  }
  if (Array.isArray(value)) return value.map((item, i) => scrub(item, `${path}.${i}`, redacted)).map((item) => (item === LEFT_OUT ? null : item));
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Row = {};
    for (const [key, inner] of Object.entries(value)) {
      const clean = SECRET_COLUMN.test(key) ? (redacted.add(`${path}.${key}`), LEFT_OUT) : scrub(inner, `${path}.${key}`, redacted);
      if (clean !== LEFT_OUT) out[key] = clean;
    }
    return out;
  }
  return plain(value);
}

function sanitize(table: string, row: Row, redacted: Set<string>): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    const clean = SECRET_COLUMN.test(column) ? (redacted.add(`${table}.${column}`), LEFT_OUT) : scrub(value, `${table}.${column}`, redacted);
    if (clean !== LEFT_OUT) out[column] = clean;
  }
  return out;
}

/** oidc-provider models: their id is a token value and their payload holds secrets, so only a summary. */
function summarizeModel(row: Row): Row {
  const payload = (row.payload ?? {}) as { clientId?: string; scope?: string; openid?: { scope?: string } };
  return {
    model: row.model, client_id: payload.clientId ?? null, scope: payload.scope ?? payload.openid?.scope ?? null,
    created_at: plain(row.created_at), expires_at: plain(row.expires_at), consumed_at: plain(row.consumed_at),
  };
}

export function createDataExport(deps: { db: Db; queries: PrivacyQueries; schema: SchemaQueries }) {
  return {
    async exportAccount(accountId: string): Promise<ExportDocument | undefined> {
      const account = (await deps.db('accounts').where({ id: accountId }).first()) as Row | undefined;
      if (!account) return undefined;
      const redacted = new Set<string>();
      const tables: Record<string, Row[]> = {};
      for (const where of await findAccountColumns(deps.schema)) {
        const rows = await deps.queries.selectRowsOfAccount(where, accountId);
        if (rows.length === 0) continue;
        const clean = where.table === 'oidc_models' ? rows.map(summarizeModel) : rows.map((r) => sanitize(where.table, r, redacted));
        tables[where.table] = [...(tables[where.table] ?? []), ...clean];
      }
      const t = (name: string) => tables[name] ?? [];
      return {
        format: EXPORT_FORMAT,
        generated_at: new Date().toISOString(),
        subject: accountId,
        account: sanitize('accounts', account, redacted),
        profile: t('profile_values'),
        identifiers: t('account_emails'),
        credentials: {
          password: { set: Boolean(account.password_hash), changed_at: plain(account.password_changed_at) },
          passkeys: t('passkeys'), totp: t('totp_credentials'), recovery_codes: t('recovery_codes'), remembered_devices: t('remembered_devices'),
        },
        linked_identities: t('federated_identities'),
        grants: [...t('client_consents'), ...t('oidc_models').filter((m) => m.model === 'Grant')],
        sessions_and_tokens: t('oidc_models').filter((m) => m.model !== 'Grant'),
        consent_ledger: t('consent_records'),
        preferences: Object.fromEntries(Object.entries(tables).filter(([name]) => name.includes('preference'))),
        audit_events: t('events'),
        tables,
        redacted_columns: [...redacted].sort(),
      };
    },
  };
}

export type DataExport = ReturnType<typeof createDataExport>;
