// Owns the social sign-in flow of one interaction: the upstream redirect (state, nonce, PKCE kept sealed in
// a 'federation' flow row), the callback bound to its state, and what the upstream identity may do here.
import { z } from 'zod';
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import type { FlowStore } from '../../flows/store.ts';
import { federationFlow } from '../../flows/kinds/federation.ts';
import type { Flow } from '../../flows/kinds/kind.ts';
import type { SecretBox } from '../../security/envelope.ts';
import type { ConnectorRegistry } from './connectors.ts';
import { decideFederatedSignIn } from './decide.ts';
import type { FederatedIdentityQueries } from './identities.ts';
import type { UpstreamProfile } from './profile-import.ts';
import { sealProfile } from './sealed-profile.ts';

const KIND = federationFlow;

const redirectedSchema = z.object({ connector: z.string(), sealed: z.string(), query: z.string().optional() });
const checksSchema = z.object({ state: z.string(), nonce: z.string(), verifier: z.string() });

export type CallbackOutcome =
  | { status: 'unknown_state' }
  | { status: 'upstream_error'; interactionUid: string; connectorName: string; cancelled: boolean }
  | { status: 'received'; interactionUid: string };

export type ReturnOutcome =
  | { status: 'signed_in'; accountId: string; created: boolean; connector: string; profile: UpstreamProfile }
  | { status: 'prove_ownership'; email: string; connectorName: string }
  | { status: 'email_unconfirmed'; connectorName: string }
  | { status: 'refused'; connectorName: string }
  | { status: 'failed'; connectorName?: string };

export interface FederationDeps {
  db: Db;
  flows: FlowStore;
  connectors: ConnectorRegistry;
  identities: FederatedIdentityQueries;
  accounts: AccountQueries;
  box: SecretBox;
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export function createFederatedSignIn(deps: FederationDeps) {
  const { db, flows, connectors, identities, accounts, box } = deps;
  const sealContext = (uid: string) => `federation:${uid}`;

  return {
    /** Starts a redirect to the upstream for this interaction; undefined when the connector is unknown or disabled. */
    async start(interactionUid: string, connectorId: string, allowed: readonly string[] | undefined): Promise<string | undefined> {
      const connector = await connectors.find(connectorId);
      if (!connector || (allowed && !allowed.includes(connector.id))) return undefined;
      const { url, checks } = await connectors.authorizationUrl(connector);
      for (let old = await flows.findFlowForInteraction(interactionUid, KIND); old; old = await flows.findFlowForInteraction(interactionUid, KIND)) await flows.deleteFlow(old.id);
      await flows.insertFlow({
        kind: KIND, state: 'redirected', interactionUid, accountId: null, secret: checks.state,
        context: { connector: connector.id, sealed: box.encrypt(JSON.stringify(checks), sealContext(interactionUid)) },
      });
      return url;
    },

    /**
     * The upstream's answer (a redirect's query, or Apple's cross-site form_post body): bound to its flow by
     * `state` alone, since no cookie of ours comes with it; the answer is kept sealed for the interaction's own page.
     */
    async receiveCallback(query: URLSearchParams): Promise<CallbackOutcome> {
      const state = query.get('state');
      if (!state || state.length > 512) return { status: 'unknown_state' };
      const flow = await flows.findFlowBySecret(KIND, state);
      const parsed = flow?.state === 'redirected' ? redirectedSchema.safeParse(flow.context) : undefined;
      if (!flow?.interaction_uid || !parsed?.success) return { status: 'unknown_state' };
      const context = parsed.data;
      const connectorName = (await connectors.find(context.connector))?.name ?? context.connector;
      if (query.has('error') || !query.get('code')) {
        await flows.deleteFlow(flow.id);
        return { status: 'upstream_error', interactionUid: flow.interaction_uid, connectorName, cancelled: query.get('error') === 'access_denied' };
      }
      const sealedQuery = box.encrypt(query.toString(), `${sealContext(flow.interaction_uid)}:callback`);
      if (!(await flows.updateFlow(flow, { state: 'returned', context: { ...context, query: sealedQuery } }))) return { status: 'unknown_state' };
      return { status: 'received', interactionUid: flow.interaction_uid };
    },

    /** In the interaction (the browser proved it holds it): redeem the code and decide what the identity may do. */
    async completeReturn(interactionUid: string): Promise<ReturnOutcome> {
      const flow = await flows.findFlowForInteraction(interactionUid, KIND);
      // Finishing the flow first (compare-and-set) redeems the upstream code once, even from two tabs.
      if (!flow || flow.state !== 'returned' || !(await flows.finishFlow(flow))) return { status: 'failed' };
      const parsed = redirectedSchema.safeParse(flow.context);
      if (!parsed.success) return { status: 'failed' };
      const context = parsed.data;
      const connector = await connectors.find(context.connector);
      if (!connector || !context.query) return { status: 'failed' };
      let upstream;
      try {
        const checks = checksSchema.parse(JSON.parse(box.decrypt(context.sealed, sealContext(interactionUid))));
        upstream = await connectors.redeem(connector, new URLSearchParams(box.decrypt(context.query, `${sealContext(interactionUid)}:callback`)), checks);
      } catch {
        return { status: 'failed', connectorName: connector.name };
      }
      const linkedIdentity = await identities.findIdentity(connector.id, upstream.subject);
      const linked = linkedIdentity && (await accounts.findAccountById(linkedIdentity.accountId));
      const byEmail = !linked && upstream.email && upstream.emailVerified ? await accounts.findAccountByEmail(upstream.email) : undefined;
      const decision = decideFederatedSignIn({ upstream, linked, byEmail });
      switch (decision.action) {
        case 'sign_in':
          await identities.touchIdentity(connector.id, upstream.subject, upstream.emailVerified ? upstream.email : null);
          return { status: 'signed_in', accountId: decision.accountId, created: false, connector: connector.id, profile: upstream.profile };
        case 'create_account': {
          try {
            const accountId = await db.transaction(async (trx) => {
              const account = await accounts.insertAccount({ email: decision.email, status: 'active', passwordHash: null, emailVerified: true }, trx);
              if (!(await identities.linkIdentity({ connector: connector.id, subject: upstream.subject, accountId: account.id, email: decision.email }, trx))) throw new Error('identity taken');
              await deps.emit({ type: 'account.created', accountId: account.id, data: { via: `social:${connector.id}` } }, trx);
              await deps.emit({ type: 'federation.identity_linked', accountId: account.id, data: { connector: connector.id } }, trx);
              return account.id;
            });
            return { status: 'signed_in', accountId, created: true, connector: connector.id, profile: upstream.profile };
          } catch {
            // The email or the identity was taken meanwhile: never merge silently.
            return { status: 'failed', connectorName: connector.name };
          }
        }
        case 'prove_ownership':
          await flows.insertFlow({
            kind: KIND, state: 'link', interactionUid, accountId: decision.accountId,
            context: { connector: connector.id, subject: upstream.subject, email: decision.email, profile: sealProfile(box, connector.id, upstream.subject, upstream.profile) },
          });
          return { status: 'prove_ownership', email: decision.email, connectorName: connector.name };
        case 'email_unconfirmed':
          // Kept for the email-confirmation pages (email-confirmation.ts): the customer may prove a mailbox by code.
          await flows.insertFlow({
            kind: KIND, state: 'needs_email', interactionUid, accountId: null,
            context: { connector: connector.id, subject: upstream.subject, suggestedEmail: upstream.email ?? undefined, profile: sealProfile(box, connector.id, upstream.subject, upstream.profile) },
          });
          return { status: 'email_unconfirmed', connectorName: connector.name };
        case 'refused':
          return { status: 'refused', connectorName: connector.name };
      }
    },
  };
}

export type FederatedSignIn = ReturnType<typeof createFederatedSignIn>;
