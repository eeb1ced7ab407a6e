// Owns the email an upstream could not confirm: the customer names one, proves it by a mailed 6-digit code,
// and then a new account is created and linked, or (the email has an account) that account's sign-in is required.
import { z } from 'zod';
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import { verifyThrottledCode, type CodeService, type CodeVerdict } from '../../flows/codes.ts';
import type { FlowStore } from '../../flows/store.ts';
import { federationFlow } from '../../flows/kinds/federation.ts';
import type { Flow } from '../../flows/kinds/kind.ts';
import type { MailSender } from '../../mail/mailer.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';
import type { ConnectorRegistry } from './connectors.ts';
import { decideFederatedSignIn } from './decide.ts';
import type { FederatedIdentityQueries } from './identities.ts';
import type { UpstreamProfile } from './profile-import.ts';
import { openProfile } from './sealed-profile.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import type { SecretBox } from '../../security/envelope.ts';

const KIND = federationFlow;
/** States of the flow sign-in.ts leaves behind: no email yet; a code was mailed to `email`. */
const NEEDS_EMAIL = 'needs_email';
const CODE_SENT = 'email_code_sent';
const CODE_PURPOSE = 'federation-email';
const THROTTLE_KIND = 'federation-email-code';

const contextSchema = z.object({ connector: z.string(), subject: z.string(), email: z.string().optional(), suggestedEmail: z.string().optional(), profile: z.string().optional() });

export interface EmailConfirmationDeps {
  db: Db;
  flows: FlowStore;
  codes: CodeService;
  connectors: ConnectorRegistry;
  identities: FederatedIdentityQueries;
  accounts: AccountQueries;
  throttle: CredentialThrottle;
  mailer: MailSender;
  box: SecretBox;
  codeTtlSeconds: number;
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export interface PendingConfirmation {
  connectorName: string;
  /** The email the code went to, once one was sent. */
  email: string | undefined;
  /** The address the upstream named without confirming it: offered pre-filled, never trusted. */
  suggestedEmail: string | undefined;
}

export type ConfirmationResult =
  | { status: 'signed_in'; accountId: string; created: boolean; connector: string; profile: UpstreamProfile }
  | { status: 'prove_ownership' }
  | { status: 'refused' }
  | { status: 'failed' }
  | { status: Exclude<CodeVerdict, 'ok'> }
  | { status: 'throttled'; retryAfterSeconds: number };

export function createFederationEmailConfirmation(deps: EmailConfirmationDeps) {
  const { flows, connectors } = deps;

  async function pendingFlow(interactionUid: string): Promise<{ flow: Flow<typeof KIND>; context: z.infer<typeof contextSchema>; connectorName: string } | undefined> {
    const flow = await flows.findFlowForInteraction(interactionUid, KIND);
    if (!flow || (flow.state !== NEEDS_EMAIL && flow.state !== CODE_SENT)) return undefined;
    const parsed = contextSchema.safeParse(flow.context);
    if (!parsed.success) return undefined;
    const context = parsed.data;
    const connector = await connectors.find(context.connector);
    return connector && { flow, context, connectorName: connector.name };
  }

  return {
    /** The upstream identity of this interaction that still waits for a confirmed email, if any. */
    async pending(interactionUid: string): Promise<PendingConfirmation | undefined> {
      const found = await pendingFlow(interactionUid);
      return found && { connectorName: found.connectorName, email: found.flow.state === CODE_SENT ? found.context.email : undefined, suggestedEmail: found.context.suggestedEmail };
    },

    /** Mails a code to `email`, whether or not it has an account (the pages look the same). */
    async sendCode(input: { interactionUid: string; email: string; address: string }): Promise<{ status: 'code_sent' | 'expired' } | { status: 'throttled'; retryAfterSeconds: number }> {
      const found = await pendingFlow(input.interactionUid);
      if (!found) return { status: 'expired' };
      const gate = await deps.throttle.allowCodeSend(input.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      if (!(await flows.updateFlow(found.flow, { state: CODE_SENT, context: { ...found.context, email: input.email } }))) return { status: 'expired' };
      // Replaces any earlier code of this flow, so a code mailed to a previous address stops working.
      const code = await deps.codes.issueCode(found.flow.id, CODE_PURPOSE);
      deps.mailer.sendInBackground(input.email, 'federation-email-code', { code, connectorName: found.connectorName, minutes: Math.round(deps.codeTtlSeconds / 60) });
      return { status: 'code_sent' };
    },

    /**
     * Checks the mailed code. Then: no account has the email → one is created (email verified, no password)
     * and linked; an account has it → the flow becomes a pending link that its own sign-in must complete.
     */
    async verifyCode(input: { interactionUid: string; code: string; address: string }): Promise<ConfirmationResult> {
      const found = await pendingFlow(input.interactionUid);
      if (!found || found.flow.state !== CODE_SENT || !found.context.email) return { status: 'expired' };
      const { flow, context } = found;
      const email = context.email!;
      const verdict = await verifyThrottledCode(deps.codes, deps.throttle, { kind: THROTTLE_KIND, subject: email, address: input.address, flowId: flow.id, purpose: CODE_PURPOSE, code: input.code });
      if (verdict.status !== 'ok') return verdict;

      const linkedIdentity = await deps.identities.findIdentity(context.connector, context.subject);
      const linked = linkedIdentity && (await deps.accounts.findAccountById(linkedIdentity.accountId));
      const byEmail = linked ? undefined : await deps.accounts.findAccountByEmail(email);
      const profile = openProfile(deps.box, context.connector, context.subject, context.profile);
      const decision = decideFederatedSignIn({ upstream: { subject: context.subject, email, emailVerified: true, profile }, linked, byEmail });
      switch (decision.action) {
        case 'sign_in':
          // Linked meanwhile (another tab): the link stands; this code only proved a mailbox.
          await flows.deleteFlow(flow.id);
          return { status: 'signed_in', accountId: decision.accountId, created: false, connector: context.connector, profile };
        case 'create_account':
          try {
            const accountId = await deps.db.transaction(async (trx) => {
              if (!(await flows.finishFlow(flow, trx))) throw new Error('flow changed');
              const account = await deps.accounts.insertAccount({ email, status: 'active', passwordHash: null, emailVerified: true }, trx);
              if (!(await deps.identities.linkIdentity({ connector: context.connector, subject: context.subject, accountId: account.id, email }, trx))) throw new Error('identity taken');
              await deps.emit({ type: 'account.created', accountId: account.id, data: { via: `social:${context.connector}` } }, trx);
              await deps.emit({ type: 'federation.identity_linked', accountId: account.id, data: { connector: context.connector } }, trx);
              return account.id;
            });
            return { status: 'signed_in', accountId, created: true, connector: context.connector, profile };
          } catch {
            // The email or the identity was taken meanwhile: never merge silently.
            return { status: 'failed' };
          }
        case 'prove_ownership':
          // The same pending link as a verified upstream email: federation-link asks for the account's own sign-in.
          if (!(await flows.updateFlow(flow, { state: 'link', accountId: decision.accountId, context: { connector: context.connector, subject: context.subject, email, profile: context.profile } }))) return { status: 'expired' };
          return { status: 'prove_ownership' };
        default:
          await flows.deleteFlow(flow.id);
          return { status: 'refused' };
      }
    },
  };
}

export type FederationEmailConfirmation = ReturnType<typeof createFederationEmailConfirmation>;
