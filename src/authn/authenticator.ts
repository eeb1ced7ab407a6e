// Owns what an authenticator is (shared/DESIGN.md: one folder per method behind one interface, as Ory Kratos
// has one strategy per method): what it declares — its id, the factor it can be, the kind of proof it is, the
// amr values it adds and how a sign-in's amr shows it was used — and, once wired to its services, its input
// schema and `verify(input, context) → {accountId, amr} | refusal`. The registry (registry.ts) lists them.
import type { z } from 'zod';

/** What a factor proves, so two factors of the same kind (a mailed code after a mailed code) never count as two. */
export type FactorKind = 'knowledge' | 'email' | 'passkey' | 'possession-otp' | 'recovery-code' | 'federation';

/** The methods of the second-factor step (the ids of the authenticators that can be a second factor). */
export type SecondFactor = 'totp' | 'recovery-code' | 'email' | 'passkey';

export type AuthenticatorId = 'password' | 'email-code' | 'federation' | SecondFactor;

export interface AuthenticatorDeclaration {
  id: AuthenticatorId;
  /** first: signs a customer in; second: only after a first factor; both: either. */
  factor: 'first' | 'second' | 'both';
  kind: FactorKind;
  /** The RFC 8176 values it adds to amr; a passkey's depend on the key and the ceremony, so its verdict gives them. */
  amr: readonly string[];
  /** Whether a sign-in's amr shows this authenticator was its first factor (false for second factors only). */
  usedFirst(amr: ReadonlySet<string>): boolean;
  /** Whether a sign-in whose amr shows this authenticator proves two factors on its own (a user-verified passkey). */
  provesTwoFactors?(amr: ReadonlySet<string>): boolean;
}

/** Why a check did not pass; `throttled` when the attempt was refused before anything was compared. */
export type Refusal =
  | { status: 'refused'; reason: 'invalid' | 'reused' | 'not_enrolled' | 'expired' | 'exhausted' | 'unavailable'; detail?: string }
  | { status: 'throttled'; retryAfterSeconds: number };

/** The right secret of an account that cannot sign in now (an erasure is pending): told only to its owner, so it can cancel. */
export type Held = { status: 'held'; reason: 'erasure_pending'; accountId: string; until: Date };

export type AuthVerdict = { status: 'ok'; accountId: string; amr: string[] } | Refusal | Held;

/** Who is asking: the client address (every check is throttled by it) and, for a second factor, the account. */
export interface AuthContext {
  address: string;
  accountId?: string | undefined;
  /** What the check belongs to (an interaction uid), for checks bound to one: a mailed code, a passkey challenge. */
  scope?: string | undefined;
}

export interface Authenticator<I = unknown> extends AuthenticatorDeclaration {
  /** The input this authenticator checks, validated at the edge with this schema. */
  input: z.ZodType<I>;
  verify(input: I, context: AuthContext): Promise<AuthVerdict>;
}
