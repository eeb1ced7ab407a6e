// Owns the decision of what an upstream identity may do here: sign in, create an account, prove it owns
// an existing account first, or nothing (an unverified or missing email never links or takes over).
import type { AccountStatus } from '../../accounts/queries.ts';
import type { ImportableField } from './presets.ts';

export interface UpstreamIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  /** Profile values the upstream offered (mapped to claim names, cleaned); imported only as the customer allows. */
  profile: Partial<Record<ImportableField, string>>;
}

export type FederationDecision =
  | { action: 'sign_in'; accountId: string }
  | { action: 'create_account'; email: string }
  | { action: 'prove_ownership'; accountId: string; email: string }
  | { action: 'email_unconfirmed' }
  | { action: 'refused' };

const CAN_SIGN_IN: ReadonlySet<AccountStatus> = new Set(['active', 'restricted']);

export function decideFederatedSignIn(input: {
  upstream: UpstreamIdentity;
  /** The account already linked to (connector, subject), if any. */
  linked: { id: string; status: AccountStatus } | undefined;
  /** The account that holds the upstream email, if the upstream gave one. */
  byEmail: { id: string; status: AccountStatus } | undefined;
}): FederationDecision {
  const { upstream, linked, byEmail } = input;
  if (linked) return CAN_SIGN_IN.has(linked.status) ? { action: 'sign_in', accountId: linked.id } : { action: 'refused' };
  if (!upstream.email || !upstream.emailVerified) return { action: 'email_unconfirmed' };
  if (!byEmail) return { action: 'create_account', email: upstream.email };
  if (byEmail.status === 'disabled' || byEmail.status === 'erased') return { action: 'refused' };
  // A lite account too: its owner proves the mailbox to Foyer with a mailed code (not on the upstream's word),
  // and the link then activates that same account.
  return { action: 'prove_ownership', accountId: byEmail.id, email: upstream.email };
}
