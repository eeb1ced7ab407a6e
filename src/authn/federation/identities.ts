// Owns the federated_identities table: which account an upstream (connector, subject) signs in to.
import type { Db } from '../../db/create-db.ts';

export interface FederatedIdentity {
  connector: string;
  subject: string;
  accountId: string;
  email: string | null;
}

export interface FederatedIdentityRecord extends FederatedIdentity {
  createdAt: Date;
  lastUsedAt: Date;
}

interface IdentityRow { connector: string; subject: string; account_id: string; email: string | null; created_at: Date; last_used_at: Date }

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
    /** The accounts these (connector, subject) pairs sign in to, keyed `connector\nsubject`. */
    async findOwners(pairs: { connector: string; subject: string }[], trx: Db = db): Promise<Map<string, string>> {
      if (!pairs.length) return new Map();
      const rows = await trx('federated_identities').whereIn(['connector', 'subject'], pairs.map((p) => [p.connector, p.subject])).select('connector', 'subject', 'account_id') as { connector: string; subject: string; account_id: string }[];
      return new Map(rows.map((r) => [`${r.connector}\n${r.subject}`, r.account_id]));
    },
    /** Links identities brought by an import; false when any was linked meanwhile (the caller rolls back). */
    async linkImportedIdentities(identities: FederatedIdentity[], trx: Db = db): Promise<boolean> {
      if (!identities.length) return true;
      const rows = await trx('federated_identities').insert(identities.map((i) => ({ connector: i.connector, subject: i.subject, account_id: i.accountId, email: i.email })))
        .onConflict(['connector', 'subject']).ignore().returning('subject') as unknown[];
      return rows.length === identities.length;
    },
    /** The identities of these accounts (the customer export). */
    async listForAccounts(accountIds: string[], trx: Db = db): Promise<FederatedIdentity[]> {
      if (!accountIds.length) return [];
      const rows = await trx('federated_identities').whereIn('account_id', accountIds).orderBy(['account_id', 'connector', 'subject']) as IdentityRow[];
      return rows.map((r) => ({ connector: r.connector, subject: r.subject, accountId: r.account_id, email: r.email }));
    },
    async touchIdentity(connector: string, subject: string, email: string | null, trx: Db = db): Promise<void> {
      await trx('federated_identities').where({ connector, subject }).update({ last_used_at: trx.fn.now(), ...(email ? { email } : {}) });
    },
    async listForAccount(accountId: string, trx: Db = db): Promise<FederatedIdentityRecord[]> {
      const rows = await trx('federated_identities').where({ account_id: accountId }).orderBy('created_at') as IdentityRow[];
      return rows.map((r) => ({ connector: r.connector, subject: r.subject, accountId: r.account_id, email: r.email, createdAt: new Date(r.created_at), lastUsedAt: new Date(r.last_used_at) }));
    },
    /** Removes one link of this account; false when it is not this account's. */
    async deleteIdentity(accountId: string, connector: string, subject: string, trx: Db = db): Promise<boolean> {
      return (await trx('federated_identities').where({ account_id: accountId, connector, subject }).delete()) === 1;
    },
  };
}

export type FederatedIdentityQueries = ReturnType<typeof createFederatedIdentityQueries>;
