// Owns wiring an operator's customer actions to the protocol side: signing out everywhere (back-channel
// logout, sessions ended, grants revoked, the account and admin pages' sessions too) and ending one app's
// access as the customer's own "Remove access" does (tokens, back-channel logout, consent withdrawn).
import { createAccountSignOut } from '../accounts/sign-out.ts';
import type { Services } from '../compose.ts';
import type { ClientAccessPort } from '../oidc/client-access.ts';

export function createAdminCustomerCare(services: Services, clientAccess: ClientAccessPort) {
  return services.customerCare({
    signOut: createAccountSignOut({ protocol: clientAccess, portalSessions: services.portalSessions }),
    async revokeApp(accountId, clientId) {
      const [consents, grants] = [await services.consentWithdrawal.listClientConsents(accountId), await clientAccess.listGrantedClients(accountId)];
      const consent = consents.find((c) => c.clientId === clientId);
      const grant = grants.find((g) => g.clientId === clientId);
      if (!consent && !grant) return false;
      await clientAccess.revokeClientAccess(accountId, clientId);
      await services.consentWithdrawal.withdrawClientConsent(accountId, clientId, [...new Set([...(consent?.grantedScopes ?? []), ...(grant?.scopes ?? [])])], { channel: 'admin' });
      return true;
    },
  });
}
