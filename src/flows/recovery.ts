// Owns password reset: the request answers the same for every email and mails a code only to accounts
// that exist; the code plus a new password sets it and signs the customer in.
import { z } from 'zod';
import type { AccountQueries } from '../accounts/queries.ts';
import type { CredentialThrottle } from '../authn/credential-throttle.ts';
import { checkPassword, describePasswordProblem, type PasswordPolicy } from '../authn/password/policy.ts';
import type { Db } from '../db/create-db.ts';
import type { DomainEvent } from '../events/outbox.ts';
import type { MailSender } from '../mail/mailer.ts';
import type { PasswordHasher } from '../security/password-hasher.ts';
import { verifyThrottledCode, type CodeService, type ThrottledCodeVerdict } from './codes.ts';
import type { FlowStore } from './store.ts';
import { recoveryFlow } from './kinds/sign-in.ts';

const contextSchema = z.object({ email: z.string() });
const CODE_PURPOSE = 'reset';
const THROTTLE_KIND = 'reset-code';
const RESETTABLE = new Set(['active', 'restricted', 'lite']);

export interface RecoveryDeps {
  db: Db;
  flows: FlowStore;
  codes: CodeService;
  accounts: AccountQueries;
  hasher: PasswordHasher;
  throttle: CredentialThrottle;
  mailer: MailSender;
  policy: PasswordPolicy;
  codeTtlSeconds: number;
  /** Records a lite account's upgrade to a full one (`account.upgraded`, the dashboard's lite → full series), in the transaction that made it. */
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export type CompleteRecoveryResult =
  | { status: 'ok'; accountId: string }
  | { status: 'weak_password'; message: string }
  | Exclude<ThrottledCodeVerdict, { status: 'ok' }>;

export function createRecovery(deps: RecoveryDeps) {
  return {
    async startRecovery(input: { interactionUid: string; email: string; address: string }): Promise<{ status: 'code_sent' } | { status: 'throttled'; retryAfterSeconds: number }> {
      const gate = await deps.throttle.allowCodeSend(input.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const account = await deps.accounts.findAccountByEmail(input.email);
      const target = account && RESETTABLE.has(account.status) ? account : undefined;
      const flow = await deps.flows.insertFlow({
        kind: recoveryFlow, state: 'verify_code', interactionUid: input.interactionUid, accountId: target?.id ?? null,
        context: { email: input.email }, ttlSeconds: deps.codeTtlSeconds,
      });
      const code = await deps.codes.issueCode(flow.id, CODE_PURPOSE);
      if (target) deps.mailer.sendInBackground(input.email, 'reset-code', { code, minutes: Math.round(deps.codeTtlSeconds / 60) });
      return { status: 'code_sent' };
    },

    async pendingRecoveryEmail(interactionUid: string): Promise<string | undefined> {
      const flow = await deps.flows.findFlowForInteraction(interactionUid, recoveryFlow);
      return flow ? contextSchema.parse(flow.context).email : undefined;
    },

    async completeRecovery(input: { interactionUid: string; code: string; newPassword: string; address: string }): Promise<CompleteRecoveryResult> {
      const flow = await deps.flows.findFlowForInteraction(input.interactionUid, recoveryFlow);
      if (!flow) return { status: 'expired' };
      const { email } = contextSchema.parse(flow.context);
      const problem = checkPassword(input.newPassword, deps.policy, email);
      if (problem) return { status: 'weak_password', message: describePasswordProblem(problem, deps.policy) };
      // Guesses at a reset code are limited like passwords (per email+address, email, address), and per code.
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, { kind: THROTTLE_KIND, subject: email, address: input.address, flowId: flow.id, purpose: CODE_PURPOSE, code: input.code });
      if (verdict.status !== 'ok') return verdict;
      if (!flow.account_id) return { status: 'invalid' };
      const accountId = flow.account_id;
      const passwordHash = await deps.hasher.hash(input.newPassword);
      await deps.db.transaction(async (trx) => {
        await deps.accounts.updatePasswordHash(accountId, passwordHash, trx);
        await deps.accounts.markEmailVerified(accountId, email, trx);
        if (await deps.accounts.upgradeLite(accountId, trx)) await deps.emit({ type: 'account.upgraded', accountId, data: { via: 'password_reset' } }, trx);
        await deps.flows.deleteFlow(flow.id, trx);
      });
      return { status: 'ok', accountId };
    },
  };
}

export type Recovery = ReturnType<typeof createRecovery>;
