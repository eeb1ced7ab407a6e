// Owns ways into the account pages without a password: the "Email me a sign-in link" link (single use,
// short-lived, its secret stored hashed; for lite accounts and anyone who prefers it), and the account a
// browser that opened the journey's mailed sign-in link may enter as.
import type { Db } from '../db/create-db.ts';
import type { CredentialThrottle } from '../authn/credential-throttle.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { FlowStore } from '../flows/store.ts';
import { portalSignInLinkFlow } from '../flows/kinds/account.ts';
import type { MailSender } from '../mail/mailer.ts';
import { constantTimeEqual, hashToken, randomToken } from '../security/tokens.ts';
import type { AccountQueries } from './queries.ts';

const KIND = portalSignInLinkFlow;
const TOKEN = /^(flow_[\w-]{10,40})\.([\w-]{43})$/;
const SIGN_IN_ALLOWED = new Set(['lite', 'active', 'restricted']);

export interface PortalLinkDeps {
  db: Db;
  accounts: AccountQueries;
  flows: FlowStore;
  throttle: CredentialThrottle;
  mailer: MailSender;
  events: EventOutbox;
  /** Two-step accounts get no way in that skips the second step. */
  isMfaEnabled(accountId: string): Promise<boolean>;
  linkTtlSeconds: number;
  /** e.g. https://id.example.com/account/link/ */
  linkBaseUrl: string;
}

export type LinkUse = { status: 'ok'; accountId: string } | { status: 'expired' } | { status: 'mfa_required' };

export function createPortalLinks(deps: PortalLinkDeps) {
  async function issue(accountId: string, ttlSeconds: number): Promise<string> {
    const secret = randomToken(32);
    const flow = await deps.flows.insertFlow({ kind: KIND, state: 'issued', interactionUid: null, accountId, context: { secretHash: hashToken(secret) }, ttlSeconds });
    return `${flow.id}.${secret}`;
  }

  async function find(token: string) {
    const match = TOKEN.exec(token);
    const flow = match ? await deps.flows.findFlowById(match[1]!, KIND) : undefined;
    const context = flow?.context as { secretHash?: string } | undefined;
    if (!flow || !flow.account_id || flow.state !== 'issued' || !context?.secretHash || !constantTimeEqual(context.secretHash, hashToken(match![2]!))) return undefined;
    return { flow, accountId: flow.account_id };
  }

  return {
    /**
     * Mails a single-use link to the account of `email`, if there is one that may sign in. The answer is the
     * same either way (and so is the throttle, keyed by the email whether or not it has an account).
     */
    async requestLink(input: { email: string; address: string }): Promise<{ status: 'sent' } | { status: 'throttled'; retryAfterSeconds: number }> {
      const gate = await deps.throttle.allowCodeSend(input.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const account = await deps.accounts.findAccountByEmail(input.email);
      if (account?.email && SIGN_IN_ALLOWED.has(account.status)) {
        const token = await issue(account.id, deps.linkTtlSeconds);
        deps.mailer.sendInBackground(account.email, 'account-sign-in-link', { link: `${deps.linkBaseUrl}${token}`, minutes: Math.round(deps.linkTtlSeconds / 60) });
      }
      return { status: 'sent' };
    },

    /** Whether the link could still be used (the page before its "Continue" button). */
    async isLive(token: string): Promise<boolean> {
      return (await find(token)) !== undefined;
    },

    /** Uses the link once. A mailed link proves the address, so it marks it verified. */
    async useLink(token: string): Promise<LinkUse> {
      const found = await find(token);
      if (!found) return { status: 'expired' };
      if (await deps.isMfaEnabled(found.accountId)) return { status: 'mfa_required' };
      const account = await deps.accounts.findAccountById(found.accountId);
      if (!account || !SIGN_IN_ALLOWED.has(account.status)) return { status: 'expired' };
      const used = await deps.db.transaction(async (trx) => {
        if (!(await deps.flows.updateFlow(found.flow, { state: 'used' }, trx))) return false;
        await deps.flows.deleteFlow(found.flow.id, trx);
        if (account.email && !account.emailVerified) await deps.accounts.markEmailVerified(account.id, account.email, trx);
        await deps.events.emit({ type: 'account.signed_in', accountId: account.id, data: { channel: 'account', method: 'account_link' } }, trx);
        return true;
      });
      return used ? { status: 'ok', accountId: account.id } : { status: 'expired' };
    },
  };
}

export type PortalLinks = ReturnType<typeof createPortalLinks>;
