// Owns the "Sign in faster next time" offer after an interactive sign-in: whether it is due (no passkey
// yet, no "Not now" in the last 30 days), and the login held server-side while the offer is shown.
import { z } from 'zod';
import type { FlowStore } from '../../flows/store.ts';
import { passkeyOfferFlow } from '../../flows/kinds/sign-in.ts';
import type { PasskeyQueries } from './queries.ts';

export const OFFER_BACKOFF_DAYS = 30;
const heldSchema = z.object({ amr: z.array(z.string()).min(1) });

export interface HeldLogin {
  flowId: string;
  accountId: string;
  amr: string[];
}

/** Pure rule: offer to an account without a passkey that has not declined within the back-off. */
export function offerDue(state: { hasPasskey: boolean; declinedAt: Date | null }, now: Date = new Date()): boolean {
  if (state.hasPasskey) return false;
  return !state.declinedAt || now.getTime() - state.declinedAt.getTime() >= OFFER_BACKOFF_DAYS * 86_400_000;
}

export function createPasskeyOffers(deps: { queries: PasskeyQueries; flows: FlowStore }) {
  const { queries, flows } = deps;
  return {
    async shouldOffer(accountId: string): Promise<boolean> {
      return offerDue(await queries.findOfferState(accountId));
    },
    /** Keeps the verified login for this interaction while the offer is shown; the browser holds nothing. */
    async holdLogin(interactionUid: string, accountId: string, amr: string[]): Promise<void> {
      await flows.insertFlow({ kind: passkeyOfferFlow, state: 'offered', interactionUid, accountId, context: { amr } });
    },
    async heldLogin(interactionUid: string): Promise<HeldLogin | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, passkeyOfferFlow);
      const context = flow && heldSchema.safeParse(flow.context);
      if (!flow?.account_id || !context?.success) return undefined;
      return { flowId: flow.id, accountId: flow.account_id, amr: context.data.amr };
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
