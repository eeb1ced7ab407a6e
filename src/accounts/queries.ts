// Owns the accounts and account_emails tables. Every function takes a knex (root or transaction).
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/create-db.ts';
import { canonicalEmail, normalizeEmail } from './email-address.ts';

export type AccountStatus = 'lite' | 'active' | 'restricted' | 'disabled' | 'erased';

export interface Account {
  id: string;
  status: AccountStatus;
  passwordHash: string | null;
  email: string | null;
  emailVerified: boolean;
  createdAt: Date;
  /** Processing restricted (src/privacy): only essential claims are released. */
  processingRestricted?: boolean;
  /** Set while an erasure request waits for its grace period (status is then 'disabled'). */
  eraseAfter?: Date | null;
}

interface AccountRow {
  id: string;
  status: AccountStatus;
  password_hash: string | null;
  email: string | null;
  verified_at: Date | null;
  created_at: Date;
  processing_restricted_at?: Date | null;
  erase_after?: Date | null;
}

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  status: row.status,
  passwordHash: row.password_hash,
  email: row.email,
  emailVerified: row.verified_at !== null,
  createdAt: new Date(row.created_at),
  processingRestricted: Boolean(row.processing_restricted_at) || row.status === 'restricted',
  eraseAfter: row.erase_after ? new Date(row.erase_after) : null,
});

function selectAccounts(db: Db) {
  return db('accounts as a')
    .leftJoin('account_emails as e', function joinPrimary() {
      this.on('e.account_id', 'a.id').andOn('e.is_primary', db.raw('true'));
    })
    .select('a.id', 'a.status', 'a.password_hash', 'a.created_at', 'e.email', 'e.verified_at', 'a.processing_restricted_at', 'a.erase_after');
}

export interface AccountWithProfileOptions {
  visit?: boolean;
  alsoSelect?: string | undefined;
}

export type AccountWithProfile = Account & { profile: Record<string, unknown>; mfaEnabled: boolean; secondsSinceVisit?: number | null; also?: unknown };

/** The columns `accountWithProfileSql` selects (null throughout when a LEFT JOIN found no account). */
export type AccountWithProfileRow = AccountRow & { profile: Record<string, unknown> | null; mfa_enabled: boolean | null; seconds_since_visit?: number | null; also?: unknown };

/**
 * The statement of `findAccountWithProfile` for the account whose id is `idSql`: a bound `?`, or an expression of
 * an enclosing statement (the token read carries it as a LATERAL join on the token paths, src/oidc/adapter.ts).
 */
export function accountWithProfileSql(idSql: string, options: AccountWithProfileOptions = {}): string {
  const visit = options.visit
    ? `,\n                (SELECT extract(epoch FROM now() - v.last_visit_at)::float8 FROM profile_visits v WHERE v.account_id = a.id) AS seconds_since_visit`
    : '';
  const also = options.alsoSelect ? `, ${options.alsoSelect} AS also` : '';
  return `SELECT a.id, a.status, a.password_hash, a.created_at, e.email, e.verified_at, a.processing_restricted_at, a.erase_after, a.mfa_enabled,
                (SELECT jsonb_object_agg(p.field, p.value) FROM profile_values p WHERE p.account_id = a.id) AS profile${visit}${also}
           FROM accounts a LEFT JOIN account_emails e ON e.account_id = a.id AND e.is_primary
          WHERE a.id = ${idSql}`;
}

/** The account of a row `accountWithProfileSql` selected (read with the same options); undefined when none. */
export function accountWithProfileOf(row: AccountWithProfileRow | undefined, options: AccountWithProfileOptions = {}): AccountWithProfile | undefined {
  if (!row?.id) return undefined;
  const found = { ...toAccount(row), profile: row.profile ?? {}, mfaEnabled: row.mfa_enabled === true, ...(options.alsoSelect ? { also: row.also } : {}) };
  return options.visit ? { ...found, secondsSinceVisit: row.seconds_since_visit == null ? null : Number(row.seconds_since_visit) } : found;
}

export interface NewAccount {
  email: string;
  status: AccountStatus;
  passwordHash?: string | null;
  emailVerified: boolean;
}

export function createAccountQueries(db: Db) {
  return {
    async findAccountById(id: string, trx: Db = db): Promise<Account | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const row = await selectAccounts(trx).where('a.id', id).first<AccountRow | undefined>();
      return row && toAccount(row);
    },
    /**
     * The account with its profile values and its own MFA switch (the authorization's prompts read it), in one
     * statement; with `visit` (authorizations) also the seconds since its last counted profile visit, by the
     * database's clock (null: none yet), so the profile prompt writes a visit only when one can be counted.
     * `alsoSelect`, a scalar subquery over the account's id `a.id` that another module owns (e.g. the purposes'
     * standings for the release rule), comes back as `also`: one statement for both.
     */
    async findAccountWithProfile(id: string, options: AccountWithProfileOptions = {}): Promise<AccountWithProfile | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const result = await db.raw<{ rows: AccountWithProfileRow[] }>(accountWithProfileSql('?', options), [id]);
      return accountWithProfileOf(result.rows[0], options);
    },
    async findAccountByEmail(email: string, trx: Db = db): Promise<Account | undefined> {
      const row = await selectAccounts(trx)
        .whereIn('a.id', trx('account_emails').select('account_id').where('email_normalized', normalizeEmail(email)))
        .first<AccountRow | undefined>();
      return row && toAccount(row);
    },
    async listAccounts(limit: number, trx: Db = db): Promise<Account[]> {
      const rows = await selectAccounts(trx).whereNot('a.status', 'erased').orderBy('a.created_at').limit(limit) as AccountRow[];
      return rows.map(toAccount);
    },
    async insertAccount(input: NewAccount, trx: Db = db): Promise<Account> {
      const id = randomUUID();
      await trx('accounts').insert({ id, status: input.status, password_hash: input.passwordHash ?? null, password_changed_at: input.passwordHash ? trx.fn.now() : null });
      await trx('account_emails').insert({
        email_normalized: normalizeEmail(input.email),
        account_id: id,
        email: canonicalEmail(input.email),
        is_primary: true,
        verified_at: input.emailVerified ? trx.fn.now() : null,
      });
      return (await this.findAccountById(id, trx))!;
    },
    async updatePasswordHash(accountId: string, passwordHash: string, trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({ password_hash: passwordHash, password_changed_at: trx.fn.now(), updated_at: trx.fn.now() });
    },
    async updateAccountStatus(accountId: string, status: AccountStatus, trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({ status, updated_at: trx.fn.now() });
    },
    /**
     * A lite account becomes a full one (its sign-up completed, or a code proved the address): true only for the
     * call that changed it, so a race of two completions records the upgrade once.
     */
    async upgradeLite(accountId: string, trx: Db = db): Promise<boolean> {
      return (await trx('accounts').where({ id: accountId, status: 'lite' }).update({ status: 'active', updated_at: trx.fn.now() })) > 0;
    },
    /**
     * A sign-in completed now (the journey calls it as it hands the login to the protocol); returns whether the
     * account restricted processing (the flag, or the older status 'restricted'), for the sign-in's event.
     */
    async stampSignIn(accountId: string, trx: Db = db): Promise<{ restricted: boolean }> {
      const rows = await trx('accounts').where({ id: accountId }).update({ last_sign_in_at: trx.fn.now() })
        .returning(trx.raw(`(processing_restricted_at IS NOT NULL OR status = 'restricted') AS restricted`)) as { restricted: boolean }[];
      return { restricted: rows[0]?.restricted === true };
    },
    async markEmailVerified(accountId: string, email: string, trx: Db = db): Promise<void> {
      await trx('account_emails').where({ account_id: accountId, email_normalized: normalizeEmail(email) })
        .update({ verified_at: trx.fn.now(), updated_at: trx.fn.now() });
    },
    /** Makes `email` the account's primary address, verified (the caller proved it with a mailed code). */
    async replacePrimaryEmail(accountId: string, email: string, trx: Db = db): Promise<void> {
      await trx('account_emails').where({ account_id: accountId, is_primary: true }).delete();
      await trx('account_emails').insert({ email_normalized: normalizeEmail(email), account_id: accountId, email: canonicalEmail(email), is_primary: true, verified_at: trx.fn.now() });
      await trx('accounts').where({ id: accountId }).update({ updated_at: trx.fn.now() });
    },
    async findProfileValues(accountId: string, trx: Db = db): Promise<Record<string, unknown>> {
      const rows = await trx('profile_values').where({ account_id: accountId }).select('field', 'value') as { field: string; value: unknown }[];
      return Object.fromEntries(rows.map((r) => [r.field, r.value]));
    },
  };
}

export type AccountQueries = ReturnType<typeof createAccountQueries>;
