// Owns passwordless sign-in by email: one mail carries a 6-digit code and a link for the same attempt, and
// whichever is used first consumes the other. Unknown emails get the same pages; their code creates the account.
// The link finishes the sign-in only in the browser that asked for it (a cookie whose hash the flow keeps);
// anywhere else it only shows the code, to be typed in the waiting browser.
import { z } from 'zod';
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import { verifyThrottledCode, type CodeService, type CodeVerdict } from '../../flows/codes.ts';
import type { FlowStore } from '../../flows/store.ts';
import { emailSignInFlow } from '../../flows/kinds/sign-in.ts';
import type { Flow } from '../../flows/kinds/kind.ts';
import type { MailSender } from '../../mail/mailer.ts';
import { constantTimeEqual, digitsFromSecret, hashToken, randomToken } from '../../security/tokens.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';
import type { SignInLinkQueries } from './queries.ts';

const KIND = emailSignInFlow;
const CODE_PURPOSE = 'sign-in';
const THROTTLE_KIND = 'email-code';
/** States of an email sign-in flow: the mail is out; or its link was confirmed in the browser that asked. */
const SENT = 'code_sent';
const APPROVED = 'approved';
const LINK_TOKEN = /^[\w-]{43}$/;
/** The value of the browser cookie set when the code is asked for (see startEmailSignIn). */
export const BROWSER_TOKEN = /^[\w-]{43}$/;
const LINK_CODE_LABEL = 'foyer sign-in link code';
/** The accounts an email code signs in; a lite account is activated by it. Others get no mail and no sign-in. */
const SIGNS_IN = new Set(['active', 'restricted', 'lite']);

// browserHash: the SHA-256 of the asking browser's cookie (flows from before it existed have none: no browser matches).
const contextSchema = z.object({ email: z.string(), requestedAt: z.string(), userAgent: z.string(), browserHash: z.string().optional() });

export interface EmailSignInDeps {
  db: Db;
  flows: FlowStore;
  codes: CodeService;
  links: SignInLinkQueries;
  accounts: AccountQueries;
  throttle: CredentialThrottle;
  mailer: MailSender;
  codeTtlSeconds: number;
  /** The link in the mail is this plus the token, e.g. https://id.example.com/signin/link/ */
  linkBaseUrl: string;
  /** Records a lite account's upgrade to a full one (`account.upgraded`, the dashboard's lite → full series), in the transaction that made it. */
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export type EmailSignInResult =
  | { status: 'ok'; accountId: string }
  | { status: Exclude<CodeVerdict, 'ok'> }
  | { status: 'throttled'; retryAfterSeconds: number };

export interface PendingLink {
  email: string;
  requestedAt: Date;
  userAgent: string;
  /** Opened in the browser that asked for the code: its button finishes the sign-in there. */
  sameBrowser: boolean;
  /** For any other browser: the attempt's code, to type in the waiting browser (the mail carries it too). */
  code?: string;
}

/** The code mailed beside a link is derived from the link's token, so the link's page can show it again without storing it. */
const codeOfLink = (token: string) => digitsFromSecret(token, LINK_CODE_LABEL);

function isAskingBrowser(browserHash: string | undefined, browserToken: string | undefined): boolean {
  return Boolean(browserHash && browserToken && BROWSER_TOKEN.test(browserToken) && constantTimeEqual(hashToken(browserToken), browserHash));
}

export function createEmailSignIn(deps: EmailSignInDeps) {
  const { flows, links } = deps;

  /** The account signed in by a completed attempt: created, activated, or found. Runs once per flow. */
  async function complete(flow: Flow<typeof KIND>): Promise<EmailSignInResult> {
    const { email } = contextSchema.parse(flow.context);
    const accountId = await deps.db.transaction(async (trx) => {
      // The version check makes completion happen once, even when two requests race for it.
      if (!(await flows.finishFlow(flow, trx))) return undefined;
      const account = await deps.accounts.findAccountByEmail(email, trx);
      if (!account) return (await deps.accounts.insertAccount({ email, status: 'active', passwordHash: null, emailVerified: true }, trx)).id;
      if (!SIGNS_IN.has(account.status)) return undefined;
      if (account.status === 'lite' && (await deps.accounts.upgradeLite(account.id, trx))) await deps.emit({ type: 'account.upgraded', accountId: account.id, data: { via: 'email_code' } }, trx);
      await deps.accounts.markEmailVerified(account.id, email, trx);
      return account.id;
    });
    return accountId ? { status: 'ok', accountId } : { status: 'invalid' };
  }

  /** What the link's page shows, without using the link (mail scanners fetch links). */
  async function describeLink(token: string, browserToken: string | undefined): Promise<PendingLink | undefined> {
    if (!LINK_TOKEN.test(token)) return undefined;
    const link = await links.findLiveLink(hashToken(token));
    const flow = link && await flows.findFlowForInteraction(link.interaction_uid, KIND);
    if (!flow || flow.id !== link.flow_id || flow.state !== SENT) return undefined;
    const context = contextSchema.parse(flow.context);
    const sameBrowser = isAskingBrowser(context.browserHash, browserToken);
    return { email: context.email, requestedAt: new Date(context.requestedAt), userAgent: context.userAgent, sameBrowser, ...(sameBrowser ? {} : { code: codeOfLink(token) }) };
  }

  return {
    /** `browserToken`: the random value of the asking browser's cookie; only its hash is kept. */
    async startEmailSignIn(input: { interactionUid: string; email: string; address: string; userAgent: string; browserToken: string }): Promise<{ status: 'code_sent' } | { status: 'throttled'; retryAfterSeconds: number }> {
      const gate = await deps.throttle.allowCodeSend(input.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      // A new mail replaces the previous attempt of this sign-in: its code and link stop working.
      const previous = await flows.findFlowForInteraction(input.interactionUid, KIND);
      if (previous) await flows.deleteFlow(previous.id);
      const account = await deps.accounts.findAccountByEmail(input.email);
      const flow = await flows.insertFlow({
        kind: KIND, state: SENT, interactionUid: input.interactionUid, accountId: null, ttlSeconds: deps.codeTtlSeconds,
        context: { email: input.email, requestedAt: new Date().toISOString(), userAgent: input.userAgent.slice(0, 300), browserHash: hashToken(input.browserToken) },
      });
      const token = randomToken(32);
      const code = await deps.codes.issueCode(flow.id, CODE_PURPOSE, codeOfLink(token));
      await links.insertLink({ tokenHash: hashToken(token), flowId: flow.id, interactionUid: input.interactionUid, ttlSeconds: deps.codeTtlSeconds });
      // A fresh code starts a fresh count of wrong guesses from this address; the per-email and
      // per-address counters keep counting, and code mails are limited above.
      await deps.throttle.forgetFailures({ kind: THROTTLE_KIND, subject: input.email, address: input.address });
      if (!account || SIGNS_IN.has(account.status)) {
        deps.mailer.sendInBackground(input.email, 'signin-code', {
          code, link: `${deps.linkBaseUrl}${token}`, minutes: Math.round(deps.codeTtlSeconds / 60), newAccount: !account,
        });
      }
      return { status: 'code_sent' };
    },

    async pendingEmailSignIn(interactionUid: string): Promise<string | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, KIND);
      return flow ? contextSchema.parse(flow.context).email : undefined;
    },

    async verifyEmailCode(input: { interactionUid: string; code: string; address: string }): Promise<EmailSignInResult> {
      const flow = await flows.findFlowForInteraction(input.interactionUid, KIND);
      if (!flow) return { status: 'expired' };
      const { email } = contextSchema.parse(flow.context);
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, { kind: THROTTLE_KIND, subject: email, address: input.address, flowId: flow.id, purpose: CODE_PURPOSE, code: input.code });
      if (verdict.status !== 'ok') return verdict;
      await links.consumeLinksOfFlow(flow.id);
      return complete(flow);
    },

    describeLink,

    /**
     * Uses the link, only in the browser that asked: the attempt is approved and that browser finishes it
     * (the code dies with it). Any other browser changes nothing and is given the code to type in the waiting one.
     */
    async confirmLink(token: string, browserToken: string | undefined):
    Promise<{ status: 'ok'; interactionUid: string } | { status: 'other_browser'; link: PendingLink } | { status: 'expired' }> {
      const pending = await describeLink(token, browserToken);
      if (!pending) return { status: 'expired' };
      if (!pending.sameBrowser) return { status: 'other_browser', link: pending };
      const tokenHash = hashToken(token);
      const confirmed = await deps.db.transaction(async (trx) => {
        const link = await links.findLiveLink(tokenHash, trx);
        const flow = link && await flows.findFlowForInteraction(link.interaction_uid, KIND, trx);
        if (!flow || flow.id !== link.flow_id || flow.state !== SENT) return undefined;
        if (!isAskingBrowser(contextSchema.parse(flow.context).browserHash, browserToken)) return undefined;
        // Whoever consumes the code row wins the attempt: the code (verifyEmailCode) or this link.
        const code = await flows.findLiveCode(flow.id, CODE_PURPOSE, trx);
        if (!code || !(await links.consumeLink(tokenHash, trx)) || !(await flows.consumeCode(code.id, trx))) return undefined;
        return (await flows.updateFlow(flow, { state: APPROVED }, trx)) ? link.interaction_uid : undefined;
      });
      return confirmed ? { status: 'ok', interactionUid: confirmed } : { status: 'expired' };
    },

    /** Finishes an attempt whose link was confirmed in the asking browser; 'pending' while it was not. */
    async continueAfterLink(interactionUid: string): Promise<EmailSignInResult | { status: 'pending' }> {
      const flow = await flows.findFlowForInteraction(interactionUid, KIND);
      if (!flow) return { status: 'expired' };
      if (flow.state !== APPROVED) return { status: 'pending' };
      return complete(flow);
    },
  };
}

export type EmailSignIn = ReturnType<typeof createEmailSignIn>;
