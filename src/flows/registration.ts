// Owns sign-up: email + password + terms, then a mailed code proves the address. Known emails get the
// same pages (and a mail telling the owner to sign in instead); a lite account is completed, not duplicated.
import { t } from '../i18n/translate.ts';
import { z } from 'zod';
import type { AccountQueries } from '../accounts/queries.ts';
import type { CredentialThrottle } from '../authn/credential-throttle.ts';
import { checkPassword, describePasswordProblem, type PasswordPolicy } from '../authn/password/policy.ts';
import type { ConsentService } from '../consent/service.ts';
import type { Db } from '../db/create-db.ts';
import type { DomainEvent } from '../events/outbox.ts';
import type { MailSender } from '../mail/mailer.ts';
import type { PasswordHasher } from '../security/password-hasher.ts';
import { verifyThrottledCode, type CodeService, type ThrottledCodeVerdict } from './codes.ts';
import type { FlowStore } from './store.ts';
import { registrationFlow } from './kinds/sign-in.ts';

const contextSchema = z.object({
  email: z.string(),
  passwordHash: z.string(),
  mode: z.enum(['new', 'lite', 'existing']),
});

export interface RegistrationDeps {
  db: Db;
  flows: FlowStore;
  codes: CodeService;
  accounts: AccountQueries;
  consent: ConsentService;
  hasher: PasswordHasher;
  throttle: CredentialThrottle;
  mailer: MailSender;
  policy: PasswordPolicy;
  codeTtlSeconds: number;
  /** Records a lite account's upgrade to a full one (`account.upgraded`, the dashboard's lite → full series), in the transaction that made it. */
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export type StartRegistrationResult =
  | { status: 'invalid'; errors: Partial<Record<'password' | 'terms', string>> }
  | { status: 'throttled'; retryAfterSeconds: number }
  | { status: 'code_sent' };

export type CompleteRegistrationResult = { status: 'ok'; accountId: string } | Exclude<ThrottledCodeVerdict, { status: 'ok' }>;

const CODE_PURPOSE = 'signup';
const THROTTLE_KIND = 'signup-code';

export function createRegistration(deps: RegistrationDeps) {
  return {
    async startRegistration(input: { interactionUid: string; email: string; password: string; termsAccepted: boolean; address: string }): Promise<StartRegistrationResult> {
      const errors: Partial<Record<'password' | 'terms', string>> = {};
      const problem = checkPassword(input.password, deps.policy, input.email);
      if (problem) errors.password = describePasswordProblem(problem, deps.policy);
      if (!input.termsAccepted) errors.terms = t('journey.signup.terms_required');
      if (Object.keys(errors).length) return { status: 'invalid', errors };

      const gate = await deps.throttle.allowCodeSend(input.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      // Hash for every email, so a known email costs the same time as an unknown one.
      const passwordHash = await deps.hasher.hash(input.password);
      const account = await deps.accounts.findAccountByEmail(input.email);
      const mode = !account ? 'new' : account.status === 'lite' ? 'lite' : 'existing';
      const flow = await deps.flows.insertFlow({
        kind: registrationFlow, state: 'verify_email', interactionUid: input.interactionUid, accountId: null,
        context: { email: input.email, passwordHash, mode }, ttlSeconds: deps.codeTtlSeconds,
      });
      // A code exists in every mode, so a wrong guess answers the same; the owner of an existing
      // account never receives it and is told to sign in instead.
      const code = await deps.codes.issueCode(flow.id, CODE_PURPOSE);
      if (mode === 'existing') await deps.mailer.send(input.email, 'signup-existing', {});
      else await deps.mailer.send(input.email, 'signup-code', { code, minutes: Math.round(deps.codeTtlSeconds / 60) });
      return { status: 'code_sent' };
    },

    async pendingRegistrationEmail(interactionUid: string): Promise<string | undefined> {
      const flow = await deps.flows.findFlowForInteraction(interactionUid, registrationFlow);
      return flow ? contextSchema.parse(flow.context).email : undefined;
    },

    async completeRegistration(input: { interactionUid: string; code: string; channel: string; clientId?: string; address: string }): Promise<CompleteRegistrationResult> {
      const flow = await deps.flows.findFlowForInteraction(input.interactionUid, registrationFlow);
      if (!flow) return { status: 'expired' };
      const context = contextSchema.parse(flow.context);
      // A sign-up code sets the password of a lite account: guesses are limited like passwords, and per code.
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, { kind: THROTTLE_KIND, subject: context.email, address: input.address, flowId: flow.id, purpose: CODE_PURPOSE, code: input.code });
      if (verdict.status !== 'ok') return verdict;
      if (context.mode === 'existing') return { status: 'invalid' };
      const documents = await deps.consent.requiredDocuments();
      const accountId = await deps.db.transaction(async (trx) => {
        const current = await deps.accounts.findAccountByEmail(context.email, trx);
        let id: string;
        if (!current) {
          id = (await deps.accounts.insertAccount({ email: context.email, status: 'active', passwordHash: context.passwordHash, emailVerified: true }, trx)).id;
        } else if (current.status === 'lite') {
          id = current.id;
          await deps.accounts.updatePasswordHash(id, context.passwordHash, trx);
          if (await deps.accounts.upgradeLite(id, trx)) await deps.emit({ type: 'account.upgraded', accountId: id, data: { via: 'sign_up' } }, trx);
          await deps.accounts.markEmailVerified(id, context.email, trx);
        } else {
          return undefined; // someone completed a sign-up for this email meanwhile
        }
        await deps.consent.acceptDocuments(id, documents, { channel: input.channel, clientId: input.clientId, ip: input.address }, trx);
        await deps.flows.deleteFlow(flow.id, trx);
        return id;
      });
      return accountId ? { status: 'ok', accountId } : { status: 'invalid' };
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
