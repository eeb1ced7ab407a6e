// The social sign-in flow of one interaction, through its states: redirected to the upstream (found by the
// upstream's `state`), returned, then either an email to confirm, a link to prove (its second factor bound to
// the browser by a cookie secret), or the profile import. Fields are optional where a state does not use them;
// each step checks the fields it needs.
import { z } from 'zod';
import { defineFlowKind } from './kind.ts';

export const federationFlow = defineFlowKind({
  name: 'federation',
  states: ['redirected', 'returned', 'needs_email', 'email_code_sent', 'link', 'link_second_factor', 'import'],
  ttlSeconds: 600,
  context: z.object({
    connector: z.string(),
    /** Sealed state, nonce and PKCE verifier; the upstream's answer, sealed. */
    sealed: z.string().optional(),
    query: z.string().optional(),
    subject: z.string().optional(),
    email: z.string().optional(),
    suggestedEmail: z.string().optional(),
    /** The upstream profile, sealed. */
    profile: z.string().optional(),
    firstAmr: z.array(z.string()).optional(),
    accountId: z.string().optional(),
    amr: z.array(z.string()).optional(),
    finish: z.enum(['login', 'interactive', 'second_factor']).optional(),
  }),
});
