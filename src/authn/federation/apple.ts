// Owns Apple's two oddities: the client secret is an ES256 JWT signed with the team's key (made with jose),
// and the customer's name arrives only once, in the `user` field of the first form_post, never in a token.
import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';

export const APPLE_ISSUER = 'https://appleid.apple.com';
const SECRET_LIFETIME = '5m';
const userField = z.object({ name: z.object({ firstName: z.string().optional(), lastName: z.string().optional() }).optional() });

/** A short-lived client secret for one token request (Apple accepts up to six months; minutes are enough here). */
export async function appleClientSecret(input: { teamId: string; keyId: string; privateKey: string; clientId: string }): Promise<string> {
  const key = await importPKCS8(input.privateKey, 'ES256');
  return new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: input.keyId })
    .setIssuer(input.teamId).setSubject(input.clientId).setAudience(APPLE_ISSUER).setIssuedAt().setExpirationTime(SECRET_LIFETIME).sign(key);
}

/**
 * The claims to map from Apple's ID token and the form_post's `user` field: the name from `user` (first
 * sign-in only), and a private relay address counted as unverified (it proves no account elsewhere).
 */
export function appleClaims(idToken: Record<string, unknown>, user: string | null): Record<string, unknown> {
  let claims = { ...idToken };
  const parsed = user && user.length <= 4096 ? userField.safeParse(safeJson(user)) : undefined;
  if (parsed?.success && parsed.data.name) claims = { ...claims, given_name: parsed.data.name.firstName, family_name: parsed.data.name.lastName };
  if (claims.is_private_email === true || claims.is_private_email === 'true') claims = { ...claims, email_verified: false };
  return claims;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
