// A captured address waiting for its owner to press the mailed confirmation link (found by that link's token).
import { z } from 'zod';
import { defineFlowKind } from './kind.ts';

export const liteCaptureFlow = defineFlowKind({
  name: 'lite_capture', states: ['sent'], ttlSeconds: 86_400,
  context: z.object({
    email: z.string(), purpose: z.string(), clientId: z.string(),
    channel: z.enum(['capture-page', 'capture-api']), source: z.enum(['customer', 'api']), ip: z.string(),
    givenName: z.string().optional(), familyName: z.string().optional(), capturedAt: z.string(),
  }),
});
