// Owns the admins table: which accounts may use the admin pages, and with which role. Granted and taken
// back with `foyer admins add EMAIL [--role R]|remove EMAIL`; an erased account loses it with its rows.
import type { Db } from '../db/create-db.ts';

/** viewer: reads everything (customers, the vault, the audit log); operator: also changes and acts; owner: all of it. */
export const ADMIN_ROLES = ['viewer', 'operator', 'owner'] as const;
export type AdminRole = typeof ADMIN_ROLES[number];

export const isAdminRole = (value: unknown): value is AdminRole => (ADMIN_ROLES as readonly unknown[]).includes(value);

/** Whether `role` includes what `needed` may do (roles are ordered: each includes the ones before it). */
export const roleAllows = (role: AdminRole, needed: AdminRole): boolean => ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(needed);

export function createAdmins(db: Db) {
  return {
    async isAdmin(accountId: string): Promise<boolean> {
      return (await this.roleOf(accountId)) !== undefined;
    },
    /** The account's role, or undefined when it is no administrator. */
    async roleOf(accountId: string): Promise<AdminRole | undefined> {
      const row = await db('admins').where({ account_id: accountId }).first('role') as { role: string } | undefined;
      return row && isAdminRole(row.role) ? row.role : undefined;
    },
    /** Makes the account an administrator with `role`, or gives an administrator that role. */
    async grantAdmin(accountId: string, role: AdminRole = 'owner'): Promise<void> {
      await db('admins').insert({ account_id: accountId, role }).onConflict('account_id').merge({ role, updated_at: db.fn.now() });
    },
    async revokeAdmin(accountId: string): Promise<boolean> {
      return (await db('admins').where({ account_id: accountId }).delete()) > 0;
    },
    /** Every admin with the account's primary email and role. */
    async listAdmins(): Promise<{ accountId: string; email: string | null; role: AdminRole; since: Date }[]> {
      const rows = await db('admins as ad').leftJoin('account_emails as e', function joinPrimary() {
        this.on('e.account_id', '=', 'ad.account_id').andOn('e.is_primary', '=', db.raw('true'));
      }).orderBy('ad.created_at').select('ad.account_id', 'e.email', 'ad.role', 'ad.created_at') as { account_id: string; email: string | null; role: AdminRole; created_at: Date }[];
      return rows.map((r) => ({ accountId: r.account_id, email: r.email, role: r.role, since: new Date(r.created_at) }));
    },
  };
}

export type Admins = ReturnType<typeof createAdmins>;
