// Owns changing an account's email address from the account pages: a 6-digit code mailed to the new
// address proves it (single use, expiring, throttled), the change and its event commit together, and the
// old address is told. The requester never learns whether the new address has an account of its own.
import type { CredentialThrottle } from '../authn/credential-throttle.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { verifyThrottledCode, type CodeService, type ThrottledCodeVerdict } from '../flows/codes.ts';
import type { FlowStore } from '../flows/store.ts';
import { emailChangeFlow } from '../flows/kinds/account.ts';
import type { MailSender } from '../mail/mailer.ts';
import { normalizeEmail } from './email-address.ts';
import type { AccountQueries } from './queries.ts';

const KIND = emailChangeFlow;
const PURPOSE = 'email-change';
const FLOW_ID = /^flow_[\w-]{10,40}$/;

export interface EmailChangeDeps {
  db: Db;
  accounts: AccountQueries;
  flows: FlowStore;
  codes: CodeService;
  throttle: CredentialThrottle;
  mailer: MailSender;
  events: EventOutbox;
  codeTtlSeconds: number;
}

export type EmailChangeStart = { status: 'code_sent'; changeId: string } | { status: 'same_email' } | { status: 'throttled'; retryAfterSeconds: number };
export type EmailChangeResult = { status: 'ok'; email: string } | { status: 'taken' | 'expired' } | Exclude<ThrottledCodeVerdict, { status: 'ok' }>;

/** The wait in words: a slowed-down mail waits seconds, a locked pair minutes. */
export function tooManyAttempts(seconds: number): string {
  return `Too many attempts. Try again in ${seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`}.`;
}

/** a***@example.com: enough for the owner of the old address to recognise, not a full address to a stranger. */
export const maskEmail = (email: string) => email.replace(/^(.)[^@]*(@.*)$/, '$1***$2');

export function createEmailChange(deps: EmailChangeDeps) {
  return {
    async startEmailChange(input: { accountId: string; newEmail: string; address: string }): Promise<EmailChangeStart> {
      const account = await deps.accounts.findAccountById(input.accountId);
      if (!account) return { status: 'same_email' };
      if (account.email && normalizeEmail(account.email) === normalizeEmail(input.newEmail)) return { status: 'same_email' };
      const gate = await deps.throttle.allowCodeSend(input.newEmail, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const flow = await deps.flows.insertFlow({ kind: KIND, state: 'code_sent', interactionUid: null, accountId: input.accountId, context: { email: input.newEmail }, ttlSeconds: deps.codeTtlSeconds });
      const minutes = Math.round(deps.codeTtlSeconds / 60);
      // The same answer either way; only the mail differs, and only the new address's owner reads it.
      if (await deps.accounts.findAccountByEmail(input.newEmail)) {
        deps.mailer.sendInBackground(input.newEmail, 'email-change-taken', {});
      } else {
        const code = await deps.codes.issueCode(flow.id, PURPOSE);
        deps.mailer.sendInBackground(input.newEmail, 'email-change-code', { code, minutes });
      }
      return { status: 'code_sent', changeId: flow.id };
    },

    /** The new address of a change in progress, when it is the account's own. */
    async pendingEmail(accountId: string, changeId: string): Promise<string | undefined> {
      const flow = FLOW_ID.test(changeId) ? await deps.flows.findAccountFlow(changeId, KIND, accountId) : undefined;
      const email = (flow?.context as { email?: unknown } | undefined)?.email;
      return typeof email === 'string' ? email : undefined;
    },

    async confirmEmailChange(input: { accountId: string; changeId: string; code: string; address: string }): Promise<EmailChangeResult> {
      const email = await this.pendingEmail(input.accountId, input.changeId);
      if (!email) return { status: 'expired' };
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, { kind: 'email-change', subject: email, address: input.address, flowId: input.changeId, purpose: PURPOSE, code: input.code });
      if (verdict.status !== 'ok') return verdict;
      const before = await deps.accounts.findAccountById(input.accountId);
      const changed = await deps.db.transaction(async (trx) => {
        if (await deps.accounts.findAccountByEmail(email, trx)) return false;
        await deps.accounts.replacePrimaryEmail(input.accountId, email, trx);
        await deps.flows.deleteFlow(input.changeId, trx);
        await deps.events.emit({ type: 'account.email_changed', accountId: input.accountId, data: { fields: ['email'] } }, trx);
        return true;
      });
      if (!changed) return { status: 'taken' };
      if (before?.email) deps.mailer.sendInBackground(before.email, 'email-changed', { newEmail: maskEmail(email) });
      return { status: 'ok', email };
    },
  };
}

export type EmailChange = ReturnType<typeof createEmailChange>;

export function describeEmailChangeResult(result: Exclude<EmailChangeResult, { status: 'ok' }>): string {
  switch (result.status) {
    case 'taken': return 'That address cannot be used for this account. Choose another one.';
    case 'expired': return 'This change has expired. Start again.';
    case 'throttled': return tooManyAttempts(result.retryAfterSeconds);
    case 'invalid': return 'That code is not right. Check the latest email and try again.';
    case 'exhausted': return 'Too many wrong codes. Start again to get a new one.';
  }
}
