// Owns the federated_identities table: which account an upstream (connector, subject) signs in to.
import type { Db } from '../../db/create-db.ts';

export interface FederatedIdentity {
  connector: string;
  subject: string;
  accountId: string;
  email: string | null;
}

export function createFederatedIdentityQueries(db: Db) {
  return {
    async findIdentity(connector: string, subject: string, trx: Db = db): Promise<FederatedIdentity | undefined> {
      const row = await trx('federated_identities').where({ connector, subject }).first() as { connector: string; subject: string; account_id: string; email: string | null } | undefined;
      return row && { connector: row.connector, subject: row.subject, accountId: row.account_id, email: row.email };
    },
    /** Links once: false when (connector, subject) is already linked (to this or another account). */
    async linkIdentity(identity: FederatedIdentity, trx: Db = db): Promise<boolean> {
      const rows = await trx('federated_identities')
        .insert({ connector: identity.connector, subject: identity.subject, account_id: identity.accountId, email: identity.email })
        .onConflict(['connector', 'subject']).ignore().returning('subject') as unknown[];
      return rows.length === 1;
    },
    async touchIdentity(connector: string, subject: string, email: string | null, trx: Db = db): Promise<void> {
      await trx('federated_identities').where({ connector, subject }).update({ last_used_at: trx.fn.now(), ...(email ? { email } : {}) });
    },
    async unlinkIdentity(accountId: string, connector: string, subject: string, trx: Db = db): Promise<boolean> {
      return (await trx('federated_identities').where({ account_id: accountId, connector, subject }).delete()) === 1;
    },
    /** The account's links with when they were made and last used (the account pages show them). */
    async listLinksForAccount(accountId: string, trx: Db = db): Promise<(FederatedIdentity & { createdAt: Date; lastUsedAt: Date | null })[]> {
      const rows = await trx('federated_identities').where({ account_id: accountId }).orderBy('created_at') as { connector: string; subject: string; account_id: string; email: string | null; created_at: Date; last_used_at: Date | null }[];
      return rows.map((r) => ({ connector: r.connector, subject: r.subject, accountId: r.account_id, email: r.email, createdAt: new Date(r.created_at), lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null }));
    },
    async listForAccount(accountId: string, trx: Db = db): Promise<FederatedIdentity[]> {
      const rows = await trx('federated_identities').where({ account_id: accountId }).orderBy('created_at') as { connector: string; subject: string; account_id: string; email: string | null }[];
      return rows.map((r) => ({ connector: r.connector, subject: r.subject, accountId: r.account_id, email: r.email }));
    },
  };
}

export type FederatedIdentityQueries = ReturnType<typeof createFederatedIdentityQueries>;
