// Flow kinds started outside OIDC, from the customer's own pages or a mail: authenticator-app enrolment,
// email change, the mailed portal sign-in link, and the erasure cancel link and its proof.
import { z } from 'zod';
import { defineFlowKind } from './kind.ts';

export const accountTotpFlow = defineFlowKind({
  name: 'account_totp', states: ['enrol'], ttlSeconds: 15 * 60,
  context: z.object({ pendingSecret: z.string().optional() }),
});

export const emailChangeFlow = defineFlowKind({
  name: 'account_email_change', states: ['code_sent'], ttlSeconds: 900,
  context: z.object({ email: z.string() }),
});

/** Found by the flow id inside the mailed token; the token's secret half is checked against `secretHash`. */
export const portalSignInLinkFlow = defineFlowKind({
  name: 'account_sign_in_link', states: ['issued', 'used'], ttlSeconds: 900,
  context: z.object({ secretHash: z.string() }),
});

export const erasureCancelLinkFlow = defineFlowKind({
  name: 'erasure_cancel_link', states: ['issued'], ttlSeconds: 86_400,
  context: z.object({ secretHash: z.string() }),
});

/** The account proven on the erasure-cancel sign-in, held for the confirming page. */
export const erasureCancelFlow = defineFlowKind({
  name: 'erasure_cancel', states: ['proven'], ttlSeconds: 600,
  context: z.object({}),
});
