// Owns the list of Foyer's authenticators and what follows from their declarations alone (pure, no I/O):
// which kinds of factor a sign-in's amr shows, whether it proves two factors, what a second factor adds.
// The journey, the second-factor step and the account pages ask here instead of knowing every method; the
// rules about amr live with each authenticator's declaration (<method>/declaration.ts).
// At run time, `createAuthenticatorRegistry` holds the authenticators wired to their services, by id.
import type { AuthContext, Authenticator, AuthenticatorDeclaration, AuthenticatorId, AuthVerdict, FactorKind, SecondFactor } from './authenticator.ts';
import { EMAIL_CODE, MAILED_SECOND_FACTOR } from './email-code/declaration.ts';
import { FEDERATION } from './federation/declaration.ts';
import { PASSKEY } from './passkey/declaration.ts';
import { PASSWORD } from './password/declaration.ts';
import { RECOVERY_CODE } from './recovery-codes/declaration.ts';
import { TOTP } from './totp/declaration.ts';

export const AUTHENTICATORS: readonly AuthenticatorDeclaration[] = [PASSWORD, EMAIL_CODE, PASSKEY, FEDERATION, TOTP, RECOVERY_CODE, MAILED_SECOND_FACTOR];

const byId = new Map(AUTHENTICATORS.map((a) => [a.id, a]));

export function declarationOf(id: AuthenticatorId): AuthenticatorDeclaration {
  return byId.get(id)!;
}

/** The second factors, in the order the step offers them. */
export const SECOND_FACTORS: readonly SecondFactor[] = ['passkey', 'totp', 'recovery-code', 'email'];

/** The kinds of the first factors behind a sign-in's amr (RFC 8176 values), as each authenticator recognises itself. */
export function firstFactorKinds(amr: readonly string[] | undefined): Set<FactorKind> {
  const values = new Set(amr ?? []);
  return new Set(AUTHENTICATORS.filter((a) => a.factor !== 'second' && a.usedFirst(values)).map((a) => a.kind));
}

/**
 * The amr proves two factors on its own: a finished second-factor step (which always adds `mfa`), or an
 * authenticator that proves two by itself (a user-verified passkey).
 */
export function provesTwoFactors(amr: readonly string[] | undefined): boolean {
  const values = new Set(amr ?? []);
  return values.has('mfa') || AUTHENTICATORS.some((a) => a.provesTwoFactors?.(values) === true);
}

/** The kind of a second factor (never offered after a first factor of the same kind). */
export const kindOf = (factor: SecondFactor): FactorKind => declarationOf(factor).kind;

/** The amr values a second factor adds (a passkey's come from its verdict). */
export const amrOf = (factor: SecondFactor): readonly string[] => declarationOf(factor).amr;

export interface AuthenticatorRegistry {
  get<I>(id: AuthenticatorId): Authenticator<I> | undefined;
  /** Checks `input` with the authenticator `id`: its schema first (a refusal, never a throw, for bad input), then verify. */
  verify(id: AuthenticatorId, input: unknown, context: AuthContext): Promise<AuthVerdict>;
}

/** The authenticators wired to their services; each id once. */
export function createAuthenticatorRegistry(authenticators: readonly Authenticator<unknown>[]): AuthenticatorRegistry {
  const wired = new Map<AuthenticatorId, Authenticator<unknown>>();
  for (const authenticator of authenticators) {
    if (wired.has(authenticator.id)) throw new Error(`authenticator ${authenticator.id} is registered twice`);
    wired.set(authenticator.id, authenticator);
  }
  return {
    get: <I>(id: AuthenticatorId) => wired.get(id) as Authenticator<I> | undefined,
    async verify(id, input, context) {
      const authenticator = wired.get(id);
      if (!authenticator) return { status: 'refused', reason: 'unavailable' };
      const parsed = authenticator.input.safeParse(input);
      if (!parsed.success) return { status: 'refused', reason: 'invalid' };
      return authenticator.verify(parsed.data, context);
    },
  };
}
