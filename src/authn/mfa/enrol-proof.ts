// Owns the proof of the account's email asked before a FIRST second factor (authenticator app, or a passkey
// that would count as one) is enrolled: the password alone must not let someone add their own authenticator.
// The proof is a mailed 6-digit code, kept in a flow bound to one scope (an interaction uid, or a portal
// session) and one account: it is never a flag on the account. A sign-in that proved the email (a mailed code
// or link, or a finished second factor) needs no extra code.
import type { AccountQueries } from '../../accounts/queries.ts';
import { verifyThrottledCode, type CodeService, type ThrottledCodeVerdict } from '../../flows/codes.ts';
import { mfaEnrolProofFlow } from '../../flows/kinds/sign-in.ts';
import type { Flow } from '../../flows/kinds/kind.ts';
import type { FlowStore } from '../../flows/store.ts';
import type { MailSender } from '../../mail/mailer.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';
import { amrIsMultiFactor, factorKinds } from './policy.ts';

const KIND = mfaEnrolProofFlow;
const PURPOSE = 'mfa-enrol';
const THROTTLE_KIND = 'mfa-enrol';
const SENT = 'code_sent';
const PROVED = 'proved';

export interface EnrolmentProofDeps {
  flows: FlowStore;
  codes: CodeService;
  accounts: AccountQueries;
  throttle: CredentialThrottle;
  mailer: MailSender;
  codeTtlSeconds: number;
  /** Whether the account already has a second factor (an authenticator app or a passkey). */
  hasSecondFactor(accountId: string): Promise<boolean>;
}

/** The sign-in behind `amr` proved the account's email: a mailed code or link (amr exactly otp), or a finished second factor. */
export function signInProvedEmail(amr: readonly string[] | undefined): boolean {
  return factorKinds(amr).has('email') || amrIsMultiFactor(amr);
}

export type ProofSend = { status: 'sent'; email: string } | { status: 'unavailable' } | { status: 'throttled'; retryAfterSeconds: number };

export function createEnrolmentProof(deps: EnrolmentProofDeps) {
  const { flows } = deps;

  async function findFlow(scope: string, accountId: string): Promise<Flow<typeof KIND> | undefined> {
    const flow = await flows.findFlowForInteraction(scope, KIND);
    return flow?.account_id === accountId ? flow : undefined;
  }

  const proof = {
    /**
     * Whether enrolling a factor now needs the mailed code first: the account has no second factor yet,
     * the sign-in (`amr`, or `provedBySignIn` when the journey knows better) did not prove the email, and
     * no code was confirmed in this scope.
     */
    async required(input: { scope: string; accountId: string; amr: readonly string[] | undefined; provedBySignIn?: boolean }): Promise<boolean> {
      if (input.provedBySignIn || signInProvedEmail(input.amr)) return false;
      if (await deps.hasSecondFactor(input.accountId)) return false;
      return (await findFlow(input.scope, input.accountId))?.state !== PROVED;
    },

    /** Where the code goes (the account's address), for the page; undefined when the account has none. */
    async address(accountId: string): Promise<string | undefined> {
      return (await deps.accounts.findAccountById(accountId))?.email ?? undefined;
    },

    /** Mails a new code for this scope (the previous one stops working). */
    async sendCode(input: { scope: string; accountId: string; address: string }): Promise<ProofSend> {
      const email = await proof.address(input.accountId);
      if (!email) return { status: 'unavailable' };
      const gate = await deps.throttle.allowCodeSend(email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const previous = await findFlow(input.scope, input.accountId);
      if (previous) await flows.deleteFlow(previous.id);
      const flow = await flows.insertFlow({ kind: KIND, state: SENT, interactionUid: input.scope, accountId: input.accountId, context: {} });
      const code = await deps.codes.issueCode(flow.id, PURPOSE);
      await deps.mailer.send(email, 'mfa-enrol-code', { code, minutes: Math.round(deps.codeTtlSeconds / 60) });
      return { status: 'sent', email };
    },

    /** Checks the mailed code (each guess counted first, against the account and the address); a right one proves the scope. */
    async confirmCode(input: { scope: string; accountId: string; code: string; address: string }): Promise<ThrottledCodeVerdict> {
      const flow = await findFlow(input.scope, input.accountId);
      if (!flow || flow.state !== SENT) return { status: 'expired' };
      // Counted before the comparison (the attempts primitive), per account and address.
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, {
        kind: THROTTLE_KIND, subject: `account:${input.accountId}`, address: input.address, flowId: flow.id, purpose: PURPOSE, code: input.code,
      });
      if (verdict.status !== 'ok') return verdict;
      return (await flows.updateFlow(flow, { state: PROVED })) ? verdict : { status: 'expired' };
    },

    /** Whether a code was confirmed in this scope for this account (and has not expired). */
    async isProved(scope: string, accountId: string): Promise<boolean> {
      return (await findFlow(scope, accountId))?.state === PROVED;
    },
  };
  return proof;
}

export type EnrolmentProof = ReturnType<typeof createEnrolmentProof>;
