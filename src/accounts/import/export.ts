// Owns the bulk customer export: every account (erased ones aside) as one JSON object per line, in the import's
// format, so an export imports again as it is (id, status and created_at are for reference; an import ignores them).
// Read in pages by id, so memory stays bounded however many customers there are.
import type { FederatedIdentityQueries } from '../../authn/federation/identities.ts';
import type { ProfileQueries } from '../../profile/queries.ts';
import type { ImportQueries } from './queries.ts';

export interface CustomerExportDeps {
  queries: Pick<ImportQueries, 'listAccountsForExport'>;
  profileValues: Pick<ProfileQueries, 'listValuesOfAccounts'>;
  identities: Pick<FederatedIdentityQueries, 'listForAccounts'>;
}

export function createCustomerExport(deps: CustomerExportDeps) {
  return {
    /** The export's rows, one page of accounts at a time. */
    async *exportRows(pageSize = 500): AsyncGenerator<Record<string, unknown>> {
      let after: string | null = null;
      for (;;) {
        const accounts = await deps.queries.listAccountsForExport(after, pageSize);
        if (accounts.length === 0) return;
        const ids = accounts.map((a) => a.id);
        const profiles = new Map<string, Record<string, unknown>>();
        for (const v of await deps.profileValues.listValuesOfAccounts(ids)) profiles.set(v.accountId, { ...profiles.get(v.accountId), [v.field]: v.value });
        const identities = new Map<string, { connector: string; subject: string; email?: string }[]>();
        for (const i of await deps.identities.listForAccounts(ids)) {
          identities.set(i.accountId, [...(identities.get(i.accountId) ?? []), { connector: i.connector, subject: i.subject, ...(i.email ? { email: i.email } : {}) }]);
        }
        for (const a of accounts) {
          if (!a.email) continue; // an account without an address cannot be imported again (none is made so)
          yield {
            id: a.id, email: a.email, email_verified: a.verified_at !== null,
            ...(a.external_id ? { external_id: a.external_id } : {}),
            ...(a.password_hash ? { password_hash: a.password_hash } : {}),
            ...(profiles.has(a.id) ? { profile: profiles.get(a.id) } : {}),
            ...(identities.has(a.id) ? { identities: identities.get(a.id) } : {}),
            status: a.status, created_at: new Date(a.created_at).toISOString(),
          };
        }
        after = accounts.at(-1)!.id;
      }
    },
  };
}

export type CustomerExport = ReturnType<typeof createCustomerExport>;
