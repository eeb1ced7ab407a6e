// Owns the identifier-first sign-in flow: the email given on the first page, kept for the password page.
import { z } from 'zod';
import type { FlowStore } from './store.ts';
import { loginFlow } from './kinds/sign-in.ts';

const contextSchema = z.object({ email: z.string() });

export function createLoginFlows(flows: FlowStore, ttlSeconds: number) {
  return {
    async rememberEmail(interactionUid: string, email: string): Promise<void> {
      // The first email of an interaction (the usual case) in one statement; a changed email updates the flow.
      const started = await flows.insertFlowForInteractionIfNone({ kind: loginFlow, state: 'authenticate', interactionUid, accountId: null, context: { email }, ttlSeconds });
      if (started) return;
      const flow = await flows.findFlowForInteraction(interactionUid, loginFlow);
      if (flow && (await flows.updateFlow(flow, { state: 'authenticate', context: { email } }))) return;
      await flows.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid, accountId: null, context: { email }, ttlSeconds });
    },
    async rememberedEmail(interactionUid: string): Promise<string | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, loginFlow);
      return flow ? contextSchema.parse(flow.context).email : undefined;
    },
  };
}

export type LoginFlows = ReturnType<typeof createLoginFlows>;
