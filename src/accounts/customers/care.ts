// Owns what an operator does to a customer's account (the admin API and pages call it): disable and enable,
// unlock a throttled sign-in, mail a password-reset invitation or a verification link, reset the second
// factor (with a mail), sign out everywhere, revoke one app, request erasure. Each emits an event naming
// its actor; the protocol side (sessions, grants, back-channel logout) comes through ports.
import type { Db } from '../../db/create-db.ts';
import type { EventOutbox } from '../../events/outbox.ts';
import { languageOfRecipient } from '../../i18n/negotiate.ts';
import type { MailSender } from '../../mail/mailer.ts';
import type { AccountSignOut, SignOutSummary } from '../sign-out.ts';
import type { AccountQueries, AccountStatus } from '../queries.ts';

/** What resetting the second factor removes (src/authn owns those tables). */
export interface SecondFactorReset {
  resetSecondFactor(accountId: string, trx: Db): Promise<void>;
}

export interface CustomerCareDeps {
  db: Db;
  accounts: AccountQueries;
  events: Pick<EventOutbox, 'emit'>;
  mailer: MailSender;
  signOut: AccountSignOut;
  secondFactor: SecondFactorReset;
  /** Clears the sign-in throttles of these subjects (emails, account subjects); the per-address ceiling stays. */
  unlockSubjects(subjects: string[]): Promise<number>;
  /** Mails a single-use link into the account pages (using it proves the address). */
  mailAccountLink(email: string): Promise<'sent' | 'throttled'>;
  /** Where a customer starts a sign-in (and finds "Forgot password?"). */
  signInUrl: string;
  /** Revokes one app's access: tokens, back-channel logout, consent withdrawn in the ledger; false when it had none. */
  revokeApp(accountId: string, clientId: string): Promise<boolean>;
  requestErasure(accountId: string): Promise<{ eraseAfter: Date | undefined }>;
  /** The customer's saved language: an operator's mails are written in it, not in the operator's. */
  savedLocale(accountId: string): Promise<string | undefined>;
}

export type CareOutcome<T = Record<string, unknown>> = { status: 'ok'; result: T } | { status: 'refused'; code: string; message: string; httpStatus: number };

const refused = (code: string, message: string, httpStatus = 409): CareOutcome<never> => ({ status: 'refused', code, message, httpStatus });
const ok = <T>(result: T): CareOutcome<T> => ({ status: 'ok', result });

export function createCustomerCare(deps: CustomerCareDeps) {
  const { db, accounts, events } = deps;

  /** The account if it exists and is not erased. */
  const live = async (accountId: string) => {
    const account = await accounts.findAccountById(accountId);
    return account && account.status !== 'erased' ? account : undefined;
  };

  return {
    findLiveAccount: live,

    /** No sign-in any more (password, codes, passkeys, social), every session ended and every token dead. */
    async disable(accountId: string, actor: string): Promise<CareOutcome<SignOutSummary>> {
      const done = await db.transaction(async (trx) => {
        const row = await trx('accounts').where({ id: accountId }).forUpdate().first('status', 'erase_after') as { status: AccountStatus; erase_after: Date | null } | undefined;
        if (!row || row.status === 'erased') return 'not_found';
        if (row.status === 'disabled') return row.erase_after ? 'erasure' : 'already';
        await trx('accounts').where({ id: accountId }).update({ status: 'disabled', status_before_disable: row.status, disabled_at: trx.fn.now(), updated_at: trx.fn.now() });
        await events.emit({ type: 'account.disabled', accountId, actor, data: { previous_status: row.status } }, trx);
        return 'ok';
      });
      if (done === 'not_found') return refused('customer.not_found', 'There is no such customer.', 404);
      if (done === 'erasure') return refused('customer.erasure_pending', 'This account waits for erasure, which disabled it already.');
      // Disabling twice still signs out: what matters is that nothing of the account is left signed in.
      const summary = await deps.signOut.signOutEverywhere(accountId);
      return ok(summary);
    },

    /** Back to the status it had before it was disabled; an account waiting for erasure needs the erasure cancelled instead. */
    async enable(accountId: string, actor: string): Promise<CareOutcome<{ status: AccountStatus }>> {
      return db.transaction(async (trx) => {
        const row = await trx('accounts').where({ id: accountId }).forUpdate().first('status', 'status_before_disable', 'erase_after', 'password_hash') as
          { status: AccountStatus; status_before_disable: AccountStatus | null; erase_after: Date | null; password_hash: string | null } | undefined;
        if (!row || row.status === 'erased') return refused('customer.not_found', 'There is no such customer.', 404);
        if (row.erase_after) return refused('customer.erasure_pending', 'This account waits for erasure: cancel the erasure to let it sign in again.');
        if (row.status !== 'disabled') return ok({ status: row.status });
        const status = row.status_before_disable ?? (row.password_hash ? 'active' : 'lite');
        await trx('accounts').where({ id: accountId }).update({ status, status_before_disable: null, disabled_at: null, updated_at: trx.fn.now() });
        await events.emit({ type: 'account.enabled', accountId, actor, data: { status } }, trx);
        return ok({ status });
      });
    },

    async unlock(accountId: string, actor: string): Promise<CareOutcome<{ cleared: number }>> {
      const account = await live(accountId);
      if (!account) return refused('customer.not_found', 'There is no such customer.', 404);
      const emails = await db('account_emails').where({ account_id: accountId }).pluck('email') as string[];
      const cleared = await deps.unlockSubjects([...emails, `account:${accountId}`]);
      await events.emit({ type: 'account.unlocked', accountId, actor, data: { cleared } });
      return ok({ cleared });
    },

    async sendPasswordReset(accountId: string, actor: string): Promise<CareOutcome<{ sent: true }>> {
      const account = await live(accountId);
      if (!account?.email) return refused('customer.not_found', 'There is no such customer (or it has no address to mail).', 404);
      deps.mailer.sendInBackground(account.email, 'password-reset-invite', { link: deps.signInUrl }, { language: languageOfRecipient(await deps.savedLocale(account.id)) });
      await events.emit({ type: 'account.password_reset_mailed', accountId, actor });
      return ok({ sent: true });
    },

    async resendVerification(accountId: string, actor: string): Promise<CareOutcome<{ sent: true }>> {
      const account = await live(accountId);
      if (!account?.email) return refused('customer.not_found', 'There is no such customer (or it has no address to mail).', 404);
      if (account.emailVerified) return refused('customer.already_verified', 'This customer\'s address is verified already.');
      if (account.status === 'disabled') return refused('customer.disabled', 'This account is disabled: enable it first.');
      if ((await deps.mailAccountLink(account.email)) === 'throttled') return refused('customer.throttled', 'Too many mails to this address just now; try again later.', 429);
      await events.emit({ type: 'account.verification_mailed', accountId, actor });
      return ok({ sent: true });
    },

    /** Removes the authenticator app, the recovery codes and the remembered devices, turns "always ask" off, and tells the customer. */
    async resetSecondFactor(accountId: string, actor: string): Promise<CareOutcome<{ reset: true }>> {
      const account = await live(accountId);
      if (!account) return refused('customer.not_found', 'There is no such customer.', 404);
      await db.transaction(async (trx) => {
        await deps.secondFactor.resetSecondFactor(accountId, trx);
        await events.emit({ type: 'mfa.reset', accountId, actor }, trx);
      });
      if (account.email) deps.mailer.sendInBackground(account.email, 'mfa-reset', {}, { language: languageOfRecipient(await deps.savedLocale(account.id)) });
      return ok({ reset: true });
    },

    async signOutEverywhere(accountId: string, actor: string): Promise<CareOutcome<SignOutSummary>> {
      if (!(await live(accountId))) return refused('customer.not_found', 'There is no such customer.', 404);
      const summary = await deps.signOut.signOutEverywhere(accountId);
      await events.emit({ type: 'session.signed_out_everywhere', accountId, actor, data: { sessions: summary.sessions } });
      return ok(summary);
    },

    async revokeApp(accountId: string, clientId: string, actor: string): Promise<CareOutcome<{ revoked: string }>> {
      if (!(await live(accountId))) return refused('customer.not_found', 'There is no such customer.', 404);
      if (!(await deps.revokeApp(accountId, clientId))) return refused('customer.app_not_found', 'This customer has not connected that app.', 404);
      await events.emit({ type: 'client.access_revoked', accountId, clientId, actor });
      return ok({ revoked: clientId });
    },

    /** Requests erasure with the configured grace period (the account is disabled meanwhile; the customer can cancel). */
    async erase(accountId: string, actor: string): Promise<CareOutcome<{ erase_after: string | null }>> {
      if (!(await live(accountId))) return refused('customer.not_found', 'There is no such customer.', 404);
      const { eraseAfter } = await deps.requestErasure(accountId);
      await events.emit({ type: 'account.erasure_requested_by_admin', accountId, actor, data: { erase_after: eraseAfter?.toISOString() ?? null } });
      return ok({ erase_after: eraseAfter?.toISOString() ?? null });
    },
  };
}

export type CustomerCare = ReturnType<typeof createCustomerCare>;
