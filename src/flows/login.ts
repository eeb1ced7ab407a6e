// Owns the identifier-first sign-in flow: the email given on the first page, kept for the password page.
import { z } from 'zod';
import type { FlowQueries } from './queries.ts';

const contextSchema = z.object({ email: z.string() });

export function createLoginFlows(flows: FlowQueries, ttlSeconds: number) {
  return {
    async rememberEmail(interactionUid: string, email: string): Promise<void> {
      const flow = await flows.findFlowForInteraction(interactionUid, 'login');
      if (flow && (await flows.updateFlow(flow.id, flow.version, { state: 'authenticate', context: { email } }))) return;
      await flows.insertFlow({ kind: 'login', state: 'authenticate', interactionUid, accountId: null, context: { email }, ttlSeconds });
    },
    async rememberedEmail(interactionUid: string): Promise<string | undefined> {
      const flow = await flows.findFlowForInteraction(interactionUid, 'login');
      return flow ? contextSchema.parse(flow.context).email : undefined;
    },
  };
}

export type LoginFlows = ReturnType<typeof createLoginFlows>;
