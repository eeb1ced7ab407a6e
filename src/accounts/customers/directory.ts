// Owns finding customers for operators: search by email, name or sub with filters (status, created, last
// sign-in, has a second factor, has a passkey), newest first, paged with an opaque keyset cursor. The
// predicates on other folders' tables (second factor, passkeys, name) are theirs to write.
import { hasPasskeySql, hasSecondFactorSql } from '../../authn/account-predicates.ts';
import type { Db } from '../../db/create-db.ts';
import { displayNameSql, NAME_FIELDS } from '../../profile/display-name.ts';
import type { AccountStatus } from '../queries.ts';
import { encodeCursor, TIMESTAMP_KEY, type CursorShape, type KeysetCursor } from '../../paging/keyset-cursor.ts';

export interface CustomerFilter {
  q?: string | undefined;
  status?: AccountStatus | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  lastSignInFrom?: Date | undefined;
  lastSignInTo?: Date | undefined;
  hasMfa?: boolean | undefined;
  hasPasskey?: boolean | undefined;
}

export interface CustomerSummary {
  id: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  status: AccountStatus;
  createdAt: Date;
  lastSignInAt: Date | null;
  hasMfa: boolean;
  hasPasskey: boolean;
}

interface Row {
  id: string; email: string | null; verified_at: Date | null; name: string | null; status: AccountStatus; created_at: Date; created_key: string;
  last_sign_in_at: Date | null; has_mfa: boolean; has_passkey: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor a customer list gives: the last row's creation time (to the microsecond) and id. */
export const CUSTOMER_CURSOR: CursorShape = { key: TIMESTAMP_KEY, id: UUID };

const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createCustomerDirectory(db: Db) {
  const hasMfa = hasSecondFactorSql('a');
  const hasPasskey = hasPasskeySql('a');
  const nameOf = displayNameSql('a');

  return {
    /** Accounts created per UTC day since `from` (erased ones included: they signed up). */
    async signUpsPerDay(from: Date): Promise<{ day: string; count: number }[]> {
      const rows = await db('accounts').where('created_at', '>=', from)
        .select(db.raw("to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')\ AS day")).count<{ day: string; n: string | number }[]>({ n: '*' }).groupByRaw('1').orderByRaw('1');
      return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
    },
    /** How many live accounts there are, and how many have a second factor, a passkey, or are lite. */
    async adoption(): Promise<{ accounts: number; withSecondFactor: number; withPasskey: number; lite: number }> {
      const row = (await db.raw<{ rows: Record<string, string | number>[] }>(
        `SELECT count(*) AS accounts, sum(CASE WHEN ${hasMfa} THEN 1 ELSE 0 END) AS mfa, sum(CASE WHEN ${hasPasskey} THEN 1 ELSE 0 END) AS passkey,
                sum(CASE WHEN a.status = 'lite' THEN 1 ELSE 0 END) AS lite
           FROM accounts a WHERE a.status <> 'erased'`)).rows[0] ?? {};
      return { accounts: Number(row.accounts ?? 0), withSecondFactor: Number(row.mfa ?? 0), withPasskey: Number(row.passkey ?? 0), lite: Number(row.lite ?? 0) };
    },
    /** One page of customers matching `filter`, newest first; `next` continues after the last one. */
    async searchCustomers(filter: CustomerFilter, page: { limit: number; cursor?: KeysetCursor | undefined }): Promise<{ customers: CustomerSummary[]; next: string | null }> {
      const query = db('accounts as a')
        .leftJoin('account_emails as e', function joinPrimary() {
          this.on('e.account_id', 'a.id').andOn('e.is_primary', db.raw('true'));
        })
        .select('a.id', 'e.email', 'e.verified_at', 'a.status', 'a.created_at', 'a.last_sign_in_at', db.raw('a.created_at::text AS created_key'),
          db.raw(`${nameOf} AS name`, NAME_FIELDS), db.raw(`${hasMfa} AS has_mfa`), db.raw(`${hasPasskey} AS has_passkey`));
      if (filter.status) query.where('a.status', filter.status);
      else query.whereNot('a.status', 'erased');
      const q = filter.q?.trim();
      if (q) {
        if (UUID.test(q)) query.where('a.id', q.toLowerCase());
        else {
          const like = likePattern(q);
          query.where((w) => {
            w.whereExists(db('account_emails as s').whereRaw('s.account_id = a.id').andWhereRaw("lower(s.email) LIKE ? ESCAPE '\\'", [like]))
              .orWhereRaw(`lower(${nameOf}) LIKE ? ESCAPE '\\'`, [...NAME_FIELDS, like]);
          });
        }
      }
      if (filter.createdFrom) query.where('a.created_at', '>=', filter.createdFrom);
      if (filter.createdTo) query.where('a.created_at', '<', filter.createdTo);
      if (filter.lastSignInFrom) query.where('a.last_sign_in_at', '>=', filter.lastSignInFrom);
      if (filter.lastSignInTo) query.where('a.last_sign_in_at', '<', filter.lastSignInTo);
      if (filter.hasMfa !== undefined) query.whereRaw(filter.hasMfa ? hasMfa : `NOT ${hasMfa}`);
      if (filter.hasPasskey !== undefined) query.whereRaw(filter.hasPasskey ? hasPasskey : `NOT ${hasPasskey}`);
      if (page.cursor) query.whereRaw('(a.created_at, a.id) < (?::timestamptz, ?::uuid)', [page.cursor.key, page.cursor.id]);
      const rows = await query.orderBy([{ column: 'a.created_at', order: 'desc' }, { column: 'a.id', order: 'desc' }]).limit(page.limit + 1) as Row[];
      const more = rows.length > page.limit;
      const shown = rows.slice(0, page.limit);
      const last = shown.at(-1);
      return {
        customers: shown.map((r) => ({
          id: r.id, email: r.email, emailVerified: r.verified_at !== null, name: r.name, status: r.status, createdAt: new Date(r.created_at),
          lastSignInAt: r.last_sign_in_at ? new Date(r.last_sign_in_at) : null, hasMfa: Boolean(r.has_mfa), hasPasskey: Boolean(r.has_passkey),
        })),
        next: more && last ? encodeCursor({ key: last.created_key, id: last.id }) : null,
      };
    },

    /** Every address of the account, primary first. */
    async listEmails(accountId: string): Promise<{ email: string; primary: boolean; verifiedAt: Date | null; createdAt: Date }[]> {
      const rows = await db('account_emails').where({ account_id: accountId }).orderBy([{ column: 'is_primary', order: 'desc' }, 'created_at'])
        .select('email', 'is_primary', 'verified_at', 'created_at') as { email: string; is_primary: boolean; verified_at: Date | null; created_at: Date }[];
      return rows.map((r) => ({ email: r.email, primary: r.is_primary, verifiedAt: r.verified_at ? new Date(r.verified_at) : null, createdAt: new Date(r.created_at) }));
    },

    /** When the account last signed in, changed its password, and was disabled. */
    async findAccountTimes(accountId: string): Promise<{ lastSignInAt: Date | null; passwordChangedAt: Date | null; disabledAt: Date | null } | undefined> {
      const row = await db('accounts').where({ id: accountId }).first('last_sign_in_at', 'password_changed_at', 'disabled_at') as
        { last_sign_in_at: Date | null; password_changed_at: Date | null; disabled_at: Date | null } | undefined;
      const at = (d: Date | null) => (d ? new Date(d) : null);
      return row && { lastSignInAt: at(row.last_sign_in_at), passwordChangedAt: at(row.password_changed_at), disabledAt: at(row.disabled_at) };
    },
  };
}

export type CustomerDirectory = ReturnType<typeof createCustomerDirectory>;
