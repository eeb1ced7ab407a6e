// Owns what the admin pages receive, and the request state their session check leaves behind.
import type { CustomerCare } from '../../accounts/customers/care.ts';
import type { Services } from '../../compose.ts';
import type { Csrf } from '../../http/csrf.ts';
import type { AccountTokenPort } from '../../oidc/account-tokens.ts';
import type { ClientAccessPort } from '../../oidc/client-access.ts';

export interface AdminPageDeps {
  /** Every domain service (type only: edges receive their services, they never build them). */
  services: Services;
  csrf: Csrf;
  issuer: string;
  secure: boolean;
  accountTokens: AccountTokenPort;
  /** Signing out ends this browser's OIDC session, with back-channel logout to its apps. */
  clientAccess: ClientAccessPort;
  /** An operator's actions on customers (the same as the admin API's). */
  customerCare: CustomerCare;
  /** Called after a change the running Provider must see (clients, APIs, profile scopes and claims, signing keys). */
  onProtocolChanged?: () => Promise<void>;
}
