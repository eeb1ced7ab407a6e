// Owns the proof that the customer owns the account an upstream identity would be linked to: the account's
// own sign-in (its password, or a code mailed to its address), then its second factor when it has one.
// Nothing is linked before the whole proof; the pending link waits in a flow row, bound to this browser.
import { z } from 'zod';
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import { verifyThrottledCode, type CodeService, type CodeVerdict } from '../../flows/codes.ts';
import type { FlowStore } from '../../flows/store.ts';
import { federationFlow } from '../../flows/kinds/federation.ts';
import type { Flow } from '../../flows/kinds/kind.ts';
import type { MailSender } from '../../mail/mailer.ts';
import type { SecretBox } from '../../security/envelope.ts';
import { randomToken } from '../../security/tokens.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';
import type { PasswordAuthenticator } from '../password/authenticator.ts';
import type { ConnectorRegistry } from './connectors.ts';
import type { FederatedIdentityQueries } from './identities.ts';
import type { UpstreamProfile } from './profile-import.ts';
import { openProfile } from './sealed-profile.ts';

/** HttpOnly cookie naming the link that waits for a second factor in this browser (a random token, kept hashed). */
export const LINK_BROWSER_COOKIE = 'foyer.fed_link';

const KIND = federationFlow;
const LINK = 'link';
const SECOND_FACTOR = 'link_second_factor';
const CODE_PURPOSE = 'federation-link';
const THROTTLE_KIND = 'federation-link-code';

const linkSchema = z.object({ connector: z.string(), subject: z.string(), email: z.string(), profile: z.string().optional() });
const secondFactorSchema = linkSchema.extend({ firstAmr: z.array(z.string()) });

export interface PendingLink {
  email: string;
  accountId: string;
  connectorName: string;
  codeSent: boolean;
}

/** The link made: what the import step needs next. */
export interface MadeLink {
  accountId: string;
  connector: string;
  profile: UpstreamProfile;
}

export type ProofResult =
  | ({ status: 'linked'; amr: string[] } & MadeLink)
  /** The first factor is proven; the link waits for the second. `browserToken` goes into an HttpOnly cookie. */
  | { status: 'second_factor'; accountId: string; amr: string[]; browserToken: string }
  | { status: 'invalid' | 'expired' | 'taken' }
  | { status: 'code_refused'; verdict: Exclude<CodeVerdict, 'ok'> }
  | { status: 'throttled'; retryAfterSeconds: number };

export interface LinkProofDeps {
  db: Db;
  flows: FlowStore;
  codes: CodeService;
  accounts: AccountQueries;
  identities: FederatedIdentityQueries;
  connectors: ConnectorRegistry;
  passwords: PasswordAuthenticator;
  throttle: CredentialThrottle;
  mailer: MailSender;
  box: SecretBox;
  codeTtlSeconds: number;
  /** Whether the account has a second factor that every sign-in must pass (it turned MFA on). */
  isMfaEnabled(accountId: string): Promise<boolean>;
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export function createLinkProof(deps: LinkProofDeps) {
  const { db, flows, box } = deps;

  async function linkFlow(interactionUid: string): Promise<{ flow: Flow<typeof KIND>; context: z.infer<typeof linkSchema>; accountId: string } | undefined> {
    const flow = await flows.findFlowForInteraction(interactionUid, KIND);
    const context = flow?.state === LINK ? linkSchema.safeParse(flow.context) : undefined;
    if (!flow?.account_id || !context?.success) return undefined;
    return { flow, context: context.data, accountId: flow.account_id };
  }

  /** Makes the link in one transaction with the flow's end, so it happens once. */
  async function commit(flow: Flow<typeof KIND>, accountId: string, context: z.infer<typeof linkSchema>): Promise<MadeLink | undefined> {
    const made = await db.transaction(async (trx) => {
      if (!(await flows.finishFlow(flow, trx))) return false;
      if (!(await deps.identities.linkIdentity({ connector: context.connector, subject: context.subject, accountId, email: context.email }, trx))) return false;
      await deps.emit({ type: 'federation.identity_linked', accountId, data: { connector: context.connector } }, trx);
      return true;
    });
    return made ? { accountId, connector: context.connector, profile: openProfile(box, context.connector, context.subject, context.profile) } : undefined;
  }

  /** The first factor passed: link now, or (the account has a second factor) wait for it. */
  async function firstFactorProven(found: NonNullable<Awaited<ReturnType<typeof linkFlow>>>, amr: string[]): Promise<ProofResult> {
    const { flow, context, accountId } = found;
    if (await deps.isMfaEnabled(accountId)) {
      const browserToken = randomToken(24);
      // The browser's token is the flow's secret: found again by its keyed hash, never by scanning contexts.
      const saved = await flows.updateFlow(flow, { state: SECOND_FACTOR, secret: browserToken, context: { ...context, firstAmr: amr } });
      return saved ? { status: 'second_factor', accountId, amr, browserToken } : { status: 'expired' };
    }
    const made = await commit(flow, accountId, context);
    return made ? { status: 'linked', amr, ...made } : { status: 'taken' };
  }

  async function secondFactorFlow(accountId: string, browserToken: string | undefined): Promise<{ flow: Flow<typeof KIND>; context: z.infer<typeof secondFactorSchema> } | undefined> {
    if (!browserToken || browserToken.length > 64) return undefined;
    const flow = await flows.findFlowBySecret(KIND, browserToken);
    const context = flow?.state === SECOND_FACTOR && flow.account_id === accountId ? secondFactorSchema.safeParse(flow.context) : undefined;
    return flow && context?.success ? { flow, context: context.data } : undefined;
  }

  return {
    /** The link waiting on this interaction for the customer to prove they own the account holding the email. */
    async pendingLink(interactionUid: string): Promise<PendingLink | undefined> {
      const found = await linkFlow(interactionUid);
      const connector = found && (await deps.connectors.find(found.context.connector));
      if (!found || !connector) return undefined;
      return { email: found.context.email, accountId: found.accountId, connectorName: connector.name, codeSent: Boolean(await flows.findLiveCode(found.flow.id, CODE_PURPOSE)) };
    },

    async provePassword(input: { interactionUid: string; password: string; address: string }): Promise<ProofResult> {
      const found = await linkFlow(input.interactionUid);
      if (!found) return { status: 'expired' };
      const verdict = await deps.passwords.verifyPassword({ email: found.context.email, password: input.password, address: input.address });
      if (verdict.status === 'throttled') return verdict;
      if (verdict.status === 'invalid' || verdict.accountId !== found.accountId) return { status: 'invalid' };
      return firstFactorProven(found, verdict.amr);
    },

    /** Mails a code to the account's own address: how an account without a password (or its forgetful owner) proves it. */
    async sendCode(input: { interactionUid: string; address: string }): Promise<{ status: 'sent' | 'expired' } | { status: 'throttled'; retryAfterSeconds: number }> {
      const found = await linkFlow(input.interactionUid);
      const connector = found && (await deps.connectors.find(found.context.connector));
      if (!found || !connector) return { status: 'expired' };
      const gate = await deps.throttle.allowCodeSend(found.context.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const code = await deps.codes.issueCode(found.flow.id, CODE_PURPOSE);
      deps.mailer.sendInBackground(found.context.email, 'federation-link-code', { code, connectorName: connector.name, minutes: Math.round(deps.codeTtlSeconds / 60) });
      return { status: 'sent' };
    },

    async proveCode(input: { interactionUid: string; code: string; address: string }): Promise<ProofResult> {
      const found = await linkFlow(input.interactionUid);
      if (!found) return { status: 'expired' };
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, {
        kind: THROTTLE_KIND, subject: found.context.email, address: input.address, flowId: found.flow.id, purpose: CODE_PURPOSE, code: input.code,
      });
      if (verdict.status === 'throttled') return verdict;
      if (verdict.status !== 'ok') return { status: 'code_refused', verdict: verdict.status };
      const account = await deps.accounts.findAccountById(found.accountId);
      if (!account || (account.status !== 'active' && account.status !== 'restricted' && account.status !== 'lite')) return { status: 'invalid' };
      // As an email-code sign-in does: the code proves the address; a lite account becomes a full one.
      await deps.db.transaction(async (trx) => {
        if (await deps.accounts.upgradeLite(account.id, trx)) await deps.emit({ type: 'account.upgraded', accountId: account.id, data: { via: 'email_code' } }, trx);
        await deps.accounts.markEmailVerified(account.id, found.context.email, trx);
      });
      return firstFactorProven(found, ['otp']);
    },

    /** For the mfa prompt: a link in this browser waits for this account's second factor (asked like a step-up). */
    async awaitsSecondFactor(accountId: string, browserToken: string | undefined): Promise<boolean> {
      return (await secondFactorFlow(accountId, browserToken)) !== undefined;
    },

    /** After the account's second factor passed in the browser holding `browserToken`: makes the waiting link. */
    async completeAfterSecondFactor(accountId: string, browserToken: string | undefined): Promise<MadeLink | undefined> {
      const found = await secondFactorFlow(accountId, browserToken);
      return found && commit(found.flow, accountId, found.context);
    },
  };
}

export type LinkProof = ReturnType<typeof createLinkProof>;
