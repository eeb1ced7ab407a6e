// Owns the second-factor step of one interaction: which factors to offer, TOTP enrolment (the pending
// seed sealed in a flow bound to the interaction and account; a first second factor only after the email
// was proved, see enrol-proof.ts), and each factor's check. Plain TS.
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import { verifyThrottledCode, type CodeService, type ThrottledCodeVerdict } from '../../flows/codes.ts';
import type { FlowStore } from '../../flows/store.ts';
import { mfaFlow } from '../../flows/kinds/sign-in.ts';
import type { ContextOf, Flow } from '../../flows/kinds/kind.ts';
import type { MailSender } from '../../mail/mailer.ts';
import type { SecretBox } from '../../security/envelope.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';
import type { RecoveryCodes } from '../recovery-codes/recovery-codes.ts';
import { newTotpSecret, totpUri, type TotpAuthenticator, type TotpVerdict } from '../totp/totp.ts';
import type { EnrolmentProof } from './enrol-proof.ts';
import { z } from 'zod';
import type { Authenticator, AuthVerdict } from '../authenticator.ts';
import { MAILED_SECOND_FACTOR } from '../email-code/declaration.ts';
import { passkeySecondFactorAuthenticator } from '../passkey/authenticator.ts';
import type { PasskeySecondFactor } from '../passkey/second-factor.ts';
import { recoveryCodeAuthenticator } from '../recovery-codes/authenticator.ts';
import { createAuthenticatorRegistry } from '../registry.ts';
import { totpAuthenticator } from '../totp/authenticator.ts';
import { amrAfterSecondFactor, offeredSecondFactors, type SecondFactor } from './policy.ts';
import type { MfaQueries } from './queries.ts';

type StepContext = ContextOf<typeof mfaFlow>;

const EMAIL_PURPOSE = 'mfa-email';
const EMAIL_THROTTLE = 'mfa-email';

export interface MfaStepDeps {
  db: Db;
  flows: FlowStore;
  codes: CodeService;
  accounts: AccountQueries;
  mfa: MfaQueries;
  totp: TotpAuthenticator;
  recoveryCodes: RecoveryCodes;
  throttle: CredentialThrottle;
  mailer: MailSender;
  box: SecretBox;
  issuer: string;
  codeTtlSeconds: number;
  /** A passkey as a second factor (absent: passkeys are never a second factor). */
  passkeys?: Pick<PasskeySecondFactor, 'verifySecondFactor'>;
  /** Whether the account has a passkey usable here (absent: passkeys are never a second factor). */
  hasPasskey?: (accountId: string) => Promise<boolean>;
  enrolProof: EnrolmentProof;
}

export interface MfaOptions {
  /** Second factors this sign-in may use now (never one of the same kind as the first). */
  factors: SecondFactor[];
  /** The account has no second factor yet (no authenticator app, no passkey): offer to set one up. */
  canEnrol: boolean;
  recoveryCodesLeft: number;
  email: string | undefined;
}

export type EmailCodeVerdict = ThrottledCodeVerdict;

export function createMfaStep(deps: MfaStepDeps) {

  const pendingContext = (accountId: string, uid: string) => `totp-pending:${accountId}:${uid}`;
  const subject = (accountId: string) => `account:${accountId}`;

  async function findFlow(uid: string, accountId: string): Promise<{ flow: Flow<typeof mfaFlow>; context: StepContext } | undefined> {
    const flow = await deps.flows.findFlowForInteraction(uid, mfaFlow);
    if (!flow || flow.account_id !== accountId) return undefined;
    return { flow, context: flow.context };
  }

  async function ensureFlow(uid: string, accountId: string): Promise<{ flow: Flow<typeof mfaFlow>; context: StepContext }> {
    const found = await findFlow(uid, accountId);
    if (found) return found;
    const flow = await deps.flows.insertFlow({ kind: mfaFlow, state: 'choose', interactionUid: uid, accountId, context: {} });
    return { flow, context: {} };
  }

  async function verifiedEmail(accountId: string): Promise<string | undefined> {
    const account = await deps.accounts.findAccountById(accountId);
    return account?.email && account.emailVerified ? account.email : undefined;
  }

  /** Why enrolment cannot go on now: the account has a second factor already, or the email is still to be proved. */
  async function enrolmentGate(uid: string, accountId: string, provedBySignIn: boolean): Promise<'already_enrolled' | 'email_proof_required' | undefined> {
    if ((await deps.totp.hasTotp(accountId)) || ((await deps.hasPasskey?.(accountId)) ?? false)) return 'already_enrolled';
    if (await deps.enrolProof.required({ scope: uid, accountId, amr: undefined, provedBySignIn })) return 'email_proof_required';
    return undefined;
  }

  const step = {
    async options(accountId: string, firstAmr: readonly string[] | undefined): Promise<MfaOptions> {
      const [hasTotp, recoveryCodesLeft, email] = [await deps.totp.hasTotp(accountId), await deps.recoveryCodes.countUnusedRecoveryCodes(accountId), await verifiedEmail(accountId)];
      const passkey = (await deps.hasPasskey?.(accountId)) ?? false;
      const factors = offeredSecondFactors(firstAmr, { totp: hasTotp, recoveryCodes: recoveryCodesLeft > 0, verifiedEmail: email !== undefined, passkey });
      return { factors, canEnrol: !hasTotp && !passkey, recoveryCodesLeft, email: factors.includes('email') ? email : undefined };
    },

    /**
     * The seed being enrolled in this interaction (the same one on reload, a new one in a new interaction).
     * Only a first second factor is enrolled here, and only once the email was proved: by this sign-in
     * (`provedBySignIn`) or by a code confirmed in this interaction.
     */
    async startEnrolment(uid: string, accountId: string, provedBySignIn: boolean): Promise<{ status: 'ok'; secret: string; uri: string } | { status: 'already_enrolled' | 'email_proof_required' }> {
      const gate = await enrolmentGate(uid, accountId, provedBySignIn);
      if (gate) return { status: gate };
      const { flow, context } = await ensureFlow(uid, accountId);
      let secret = context.pendingSecret ? deps.box.decrypt(context.pendingSecret, pendingContext(accountId, uid)) : undefined;
      if (!secret) {
        secret = newTotpSecret();
        const saved = await deps.flows.updateFlow(flow, { state: 'enrol', context: { ...context, pendingSecret: deps.box.encrypt(secret, pendingContext(accountId, uid)) } });
        if (!saved) return step.startEnrolment(uid, accountId, provedBySignIn);
      }
      const account = await deps.accounts.findAccountById(accountId);
      return { status: 'ok', secret, uri: totpUri(secret, deps.issuer, account?.email ?? accountId) };
    },

    /**
     * Activates the pending seed when `code` matches it: the account's MFA is on from now, ten recovery
     * codes are made (returned once), and this interaction's step is done with the TOTP as its factor.
     */
    async confirmEnrolment(input: { uid: string; accountId: string; firstAmr: readonly string[] | undefined; provedBySignIn: boolean; code: string; address: string }):
    Promise<{ status: 'ok'; recoveryCodes: string[] } | { status: 'expired' | 'already_enrolled' | 'email_proof_required' } | Exclude<TotpVerdict, { status: 'ok' }>> {
      const found = await findFlow(input.uid, input.accountId);
      if (!found?.context.pendingSecret) return { status: 'expired' };
      const gate = await enrolmentGate(input.uid, input.accountId, input.provedBySignIn);
      if (gate) return { status: gate };
      const secret = deps.box.decrypt(found.context.pendingSecret, pendingContext(input.accountId, input.uid));
      const verdict = await deps.totp.checkEnrolmentCode({ accountId: input.accountId, secret, code: input.code, address: input.address });
      if (verdict.status !== 'ok') return verdict;
      const sealed = deps.totp.sealForAccount(input.accountId, secret);
      const fresh = deps.recoveryCodes.newRecoveryCodes(input.accountId);
      const amr = amrAfterSecondFactor(input.firstAmr, 'totp');
      const saved = await deps.db.transaction(async (trx) => {
        if (!(await deps.flows.updateFlow(found.flow, { state: 'done', context: { done: { amr } } }, trx))) return false;
        await deps.totp.saveConfirmed(input.accountId, sealed, verdict.step!, trx);
        await deps.mfa.setMfaEnabled(input.accountId, true, trx);
        await deps.recoveryCodes.storeRecoveryCodes(input.accountId, fresh, trx);
        return true;
      });
      if (!saved) return { status: 'expired' };
      // Enrolment follows one factor only: tell the owner, so an app added by someone else is noticed.
      const email = (await deps.accounts.findAccountById(input.accountId))?.email;
      if (email) deps.mailer.sendInBackground(email, 'mfa-enrolled', {});
      return { status: 'ok', recoveryCodes: fresh.codes };
    },

    /** The amr of a step finished by enrolment, once: the flow is gone afterwards. */
    async takeCompletedStep(uid: string, accountId: string): Promise<string[] | undefined> {
      const found = await findFlow(uid, accountId);
      if (!found?.context.done || !(await deps.flows.finishFlow(found.flow))) return undefined;
      return found.context.done.amr;
    },

    /** Mails a code to the account's verified address (only when the first factor was not a mailed code). */
    async sendEmailCode(input: { uid: string; accountId: string; firstAmr: readonly string[] | undefined; address: string }):
    Promise<{ status: 'sent'; email: string } | { status: 'unavailable' } | { status: 'throttled'; retryAfterSeconds: number }> {
      const { factors, email } = await step.options(input.accountId, input.firstAmr);
      if (!factors.includes('email') || !email) return { status: 'unavailable' };
      const gate = await deps.throttle.allowCodeSend(email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const { flow } = await ensureFlow(input.uid, input.accountId);
      const code = await deps.codes.issueCode(flow.id, EMAIL_PURPOSE);
      await deps.mailer.send(email, 'mfa-code', { code, minutes: Math.round(deps.codeTtlSeconds / 60) });
      return { status: 'sent', email };
    },

    async verifyEmailCode(input: { uid: string; accountId: string; code: string; address: string }): Promise<EmailCodeVerdict> {
      const found = await findFlow(input.uid, input.accountId);
      if (!found) return { status: 'expired' };
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, {
        kind: EMAIL_THROTTLE, subject: subject(input.accountId), address: input.address, flowId: found.flow.id, purpose: EMAIL_PURPOSE, code: input.code,
      });
      if (verdict.status === 'ok') await deps.flows.deleteFlow(found.flow.id);
      return verdict;
    },

    /**
     * Checks a second factor through the registry: `input` is what the factor's schema takes ({code} for the
     * authenticator app, a recovery code or a mailed code; {response} for a passkey), for this interaction.
     */
    verifySecondFactor: (factor: SecondFactor, input: unknown, context: { uid: string; accountId: string; address: string }): Promise<AuthVerdict> =>
      authenticators.verify(factor, input, { accountId: context.accountId, address: context.address, scope: context.uid }),
  };

  // The second factors behind the authenticator interface (src/authn/registry.ts); the mailed code is this
  // step's own (its code lives in the step's flow).
  const mailedCode: Authenticator<{ code: string }> = {
    ...MAILED_SECOND_FACTOR,
    input: z.object({ code: z.string().trim().max(64) }),
    async verify(input, context) {
      if (!context.accountId || !context.scope) return { status: 'refused', reason: 'unavailable' };
      const verdict = await step.verifyEmailCode({ uid: context.scope, accountId: context.accountId, code: input.code, address: context.address });
      if (verdict.status === 'ok') return { status: 'ok', accountId: context.accountId, amr: [...MAILED_SECOND_FACTOR.amr] };
      if (verdict.status === 'throttled') return verdict;
      return { status: 'refused', reason: verdict.status };
    },
  };
  const authenticators = createAuthenticatorRegistry([
    totpAuthenticator(deps.totp), recoveryCodeAuthenticator(deps.recoveryCodes), mailedCode,
    ...(deps.passkeys ? [passkeySecondFactorAuthenticator(deps.passkeys)] : []),
  ]);
  return step;
}

export type MfaStep = ReturnType<typeof createMfaStep>;
