// Owns the "Sign in faster next time" offer after an interactive sign-in: whether it is due (no passkey
// yet, no "Not now" in the last 30 days, and adding one would not let a password alone add a second factor),
// and the login held server-side while the offer is shown.
import { z } from 'zod';
import type { FlowStore } from '../../flows/store.ts';
import { passkeyOfferFlow } from '../../flows/kinds/sign-in.ts';
import type { PasskeyQueries } from './queries.ts';

export const OFFER_BACKOFF_DAYS = 30;
const heldSchema = z.object({ amr: z.array(z.string()).min(1), emailProved: z.boolean().optional() });

export interface HeldLogin {
  flowId: string;
  accountId: string;
  amr: string[];
  /** The sign-in proved the email (sign-up's code). */
  emailProved: boolean;
}

/** Pure rule: offer to an account without a passkey that has not declined within the back-off. */
export function offerDue(state: { hasPasskey: boolean; declinedAt: Date | null }, now: Date = new Date()): boolean {
  if (state.hasPasskey) return false;
  return !state.declinedAt || now.getTime() - state.declinedAt.getTime() >= OFFER_BACKOFF_DAYS * 86_400_000;
}

export interface PasskeyOfferDeps {
  queries: PasskeyQueries;
  flows: FlowStore;
  /** A passkey counts as a second factor: adding the first one needs proof of the email (see mfa/enrol-proof.ts). */
  enrolmentNeedsProof(accountId: string, amr: readonly string[], emailProved: boolean): Promise<boolean>;
  /** The account has an authenticator app: a passkey added after its first factor alone would bypass it. */
  hasTotp(accountId: string): Promise<boolean>;
}

export function createPasskeyOffers(deps: PasskeyOfferDeps) {
  const { queries, flows } = deps;
  return {
    /**
     * Offered only where the passkey adds no power the sign-in lacked: not to an account with an
     * authenticator app (this sign-in has not passed it yet), nor as a first second factor unless the email was proved.
     */
    async shouldOffer(accountId: string, amr: readonly string[], emailProved: boolean): Promise<boolean> {
      if (!offerDue(await queries.findOfferState(accountId))) return false;
      return !(await deps.hasTotp(accountId)) && !(await deps.enrolmentNeedsProof(accountId, amr, emailProved));
    },
    /** Keeps the verified login for this interaction while the offer is shown; the browser holds nothing. */
    async holdLogin(interactionUid: string, accountId: string, amr: string[], emailProved: boolean): Promise<void> {
      await flows.insertFlow({ kind: passkeyOfferFlow, state: 'offered', interactionUid, accountId, context: { amr, emailProved } });
    },
    async heldLogin(interactionUid: string): Promise<HeldLogin | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, passkeyOfferFlow);
      const context = flow && heldSchema.safeParse(flow.context);
      if (!flow?.account_id || !context?.success) return undefined;
      return { flowId: flow.id, accountId: flow.account_id, amr: context.data.amr, emailProved: context.data.emailProved === true };
    },
    async releaseLogin(held: HeldLogin): Promise<void> {
      await flows.deleteFlow(held.flowId);
    },
    async declineOffer(accountId: string): Promise<void> {
      await queries.recordOfferDeclined(accountId);
    },
  };
}

export type PasskeyOffers = ReturnType<typeof createPasskeyOffers>;
