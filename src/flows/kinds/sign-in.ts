// Flow kinds of the hosted sign-in journey: identifier-first login, sign-up, password reset, email-code
// sign-in, the passkey offer after sign-in, and the second-factor step.
import { z } from 'zod';
import { defineFlowKind } from './kind.ts';

/** The email given on the first page, kept for the password page. */
export const loginFlow = defineFlowKind({
  name: 'login', states: ['authenticate'], ttlSeconds: 3600,
  context: z.object({ email: z.string() }),
});

export const registrationFlow = defineFlowKind({
  name: 'registration', states: ['verify_email'], ttlSeconds: 900,
  context: z.object({ email: z.string(), passwordHash: z.string(), mode: z.enum(['new', 'lite', 'existing']) }),
});

export const recoveryFlow = defineFlowKind({
  name: 'recovery', states: ['verify_code'], ttlSeconds: 900,
  context: z.object({ email: z.string() }),
});

export const emailSignInFlow = defineFlowKind({
  name: 'email_sign_in', states: ['code_sent', 'approved'], ttlSeconds: 900,
  // browserHash: the hash of the asking browser's cookie, so only that browser finishes by the mailed link.
  context: z.object({ email: z.string(), requestedAt: z.string(), userAgent: z.string(), browserHash: z.string().optional() }),
});

/** The sign-in held while the customer is offered a passkey. */
export const passkeyOfferFlow = defineFlowKind({
  name: 'passkey_offer', states: ['offered'], ttlSeconds: 1800,
  context: z.object({ amr: z.array(z.string()).min(1), emailProved: z.boolean().optional() }),
});

export const mfaFlow = defineFlowKind({
  name: 'mfa', states: ['choose', 'enrol', 'done'], ttlSeconds: 3600,
  context: z.object({ pendingSecret: z.string().optional(), done: z.object({ amr: z.array(z.string()) }).optional() }),
});

/** The proof of the email asked before a first second factor, bound to one scope (an interaction, a portal session). */
export const mfaEnrolProofFlow = defineFlowKind({
  name: 'mfa_enrol_proof', states: ['code_sent', 'proved'], ttlSeconds: 1800,
  context: z.object({}),
});

