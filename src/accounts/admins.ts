// Owns the admins table: which accounts may use the admin pages. Granted and taken back with
// `foyer admins add|remove EMAIL`; an erased account loses it with its rows.
import type { Db } from '../db/create-db.ts';

export function createAdmins(db: Db) {
  return {
    async isAdmin(accountId: string): Promise<boolean> {
      return Boolean(await db('admins').where({ account_id: accountId }).first());
    },
    async grantAdmin(accountId: string): Promise<void> {
      await db('admins').insert({ account_id: accountId }).onConflict('account_id').ignore();
    },
    async revokeAdmin(accountId: string): Promise<boolean> {
      return (await db('admins').where({ account_id: accountId }).delete()) > 0;
    },
    /** Every admin with the account's primary email. */
    async listAdmins(): Promise<{ accountId: string; email: string | null; since: Date }[]> {
      const rows = await db('admins as ad').leftJoin('account_emails as e', function joinPrimary() {
        this.on('e.account_id', '=', 'ad.account_id').andOn('e.is_primary', '=', db.raw('true'));
      }).orderBy('ad.created_at').select('ad.account_id', 'e.email', 'ad.created_at') as { account_id: string; email: string | null; created_at: Date }[];
      return rows.map((r) => ({ accountId: r.account_id, email: r.email, since: new Date(r.created_at) }));
    },
  };
}

export type Admins = ReturnType<typeof createAdmins>;
