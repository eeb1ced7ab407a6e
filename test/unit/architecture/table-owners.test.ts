// Each table belongs to one folder (shared/DESIGN.md: "each domain folder owns its tables"); this test reads
// src/ for table references in query-builder calls and raw SQL and fails on any outside the owner.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const OWNERS: Record<string, string> = {
  accounts: 'src/accounts', account_emails: 'src/accounts', account_imports: 'src/accounts', admins: 'src/accounts',
  import_jobs: 'src/accounts', import_rejections: 'src/accounts', portal_sessions: 'src/accounts',
  clients: 'src/oidc', oidc_models: 'src/oidc', resources: 'src/oidc', signing_keys: 'src/oidc',
  client_consents: 'src/consent', communication_preferences: 'src/consent', communication_topics: 'src/consent',
  consent_document_versions: 'src/consent', consent_documents: 'src/consent', consent_purposes: 'src/consent',
  consent_receipt_keys: 'src/consent', consent_records: 'src/consent', preference_confirmations: 'src/consent',
  connectors: 'src/authn', federated_identities: 'src/authn', federated_import_permissions: 'src/authn',
  known_devices: 'src/authn', passkey_challenges: 'src/authn', passkey_offers: 'src/authn', passkeys: 'src/authn',
  recovery_codes: 'src/authn', remembered_devices: 'src/authn', sign_in_links: 'src/authn', totp_credentials: 'src/authn',
  flows: 'src/flows', one_time_codes: 'src/flows',
  profile_fields: 'src/profile', profile_skips: 'src/profile', profile_values: 'src/profile', profile_visits: 'src/profile',
  events: 'src/events', webhooks: 'src/events', webhook_deliveries: 'src/events',
  dev_outbox: 'src/mail', throttles: 'src/security',
  brands: 'src/brands', brand_clients: 'src/brands', brand_templates: 'src/brands', brand_shares: 'src/brands',
};

// Reasons a module outside the owner may touch a table; each entry names the file and the table, and why.
const EXCEPTIONS: Record<string, string[]> = {
  // Erasure, restriction and export reach every table holding an account's data by design (src/privacy/schema.ts
  // finds them from the foreign keys), so nothing is forgotten when a table is added.
  'src/privacy/queries.ts': ['accounts', 'account_emails'],
  'src/privacy/export.ts': ['accounts'],
  // The second-factor switch is kept on the account row, and a credential change locks that row.
  'src/authn/mfa/queries.ts': ['accounts'],
  'src/authn/account-security.ts': ['accounts'],
  // A social sign-in imports the chosen upstream values into the profile in the same transaction as the link.
  'src/authn/federation/import-queries.ts': ['profile_values'],
  // An account's claims are read with its profile values in one query; in an authorization, with the time since
  // its last profile visit too (the profile prompt then writes a visit only when one can be counted).
  'src/accounts/queries.ts': ['profile_values', 'profile_visits'],
  // A sign-in's device is noted with the account's address in the same statement when the "new sign-in" mail is due.
  'src/authn/device-watch/queries.ts': ['account_emails'],
};

const TABLE_REFERENCE = /\b(?:db|trx|knex|tx|q)\s*(?:<[^>]*>)?\(\s*['"]([a-z_]+)['"]|\.(?:from|into|table|join|leftJoin|innerJoin)\(\s*['"]([a-z_]+)(?:\s+as\s+\w+)?['"]|\b(?:FROM|INTO|UPDATE|JOIN)\s+([a-z_]+)\b/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const root = join(import.meta.dirname, '../../..');

describe('table owners', () => {
  const references = sourceFiles(join(root, 'src')).flatMap((file) => {
    const path = relative(root, file).split('\\').join('/');
    return [...readFileSync(file, 'utf8').matchAll(TABLE_REFERENCE)].map((match) => ({ path, table: match[1] ?? match[2] ?? match[3]! }));
  });

  it('only the owning folder (or a listed exception) touches a table', () => {
    const offenders = references
      .filter(({ path, table }) => OWNERS[table] && !path.startsWith(`${OWNERS[table]}/`) && !EXCEPTIONS[path]?.includes(table))
      .map(({ path, table }) => `${path} touches ${table} (owned by ${OWNERS[table]})`);
    expect([...new Set(offenders)]).toEqual([]);
  });

  it('lists no exception that is no longer needed', () => {
    const stale = Object.entries(EXCEPTIONS).flatMap(([path, tables]) =>
      tables.filter((table) => !references.some((r) => r.path === path && r.table === table)).map((table) => `${path}: ${table}`));
    expect(stale).toEqual([]);
  });

  it('knows every table the migrations create', () => {
    const created = new Set<string>();
    for (const file of sourceFiles(join(root, 'migrations'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/createTable(?:IfNotExists)?\(\s*['"]([a-z_]+)['"]/g)) created.add(match[1]!);
    }
    expect([...created].filter((table) => !(table in OWNERS) && table !== 'knex_migrations')).toEqual([]);
  });
});
