// Owns signing an account out everywhere, as a new password requires: every door the old one opened is
// closed and every app hears of it. The protocol side (sessions, grants, tokens, back-channel logout) is a
// port src/oidc implements; the account pages' own sessions are ours.
import type { PortalSessions } from './portal-sessions.ts';

export interface SignOutSummary {
  /** OIDC sessions ended. */
  sessions: number;
  /** Back-channel logouts delivered to the apps of those sessions. */
  backchannelLogouts: number;
}

/** Implemented in src/oidc/client-access.ts. */
export interface ProtocolSignOut {
  /** Back-channel logout to the apps of each of the account's sessions, those sessions ended, then every grant revoked with its tokens. */
  signOutEverywhere(accountId: string): Promise<SignOutSummary>;
}

export type AccountSignOut = ProtocolSignOut;

export function createAccountSignOut(deps: { protocol: ProtocolSignOut; portalSessions: Pick<PortalSessions, 'endOtherPortalSessions'> }): AccountSignOut {
  return {
    async signOutEverywhere(accountId) {
      const summary = await deps.protocol.signOutEverywhere(accountId);
      // The account pages' and admin pages' sessions too, including those not tied to an OIDC session.
      await deps.portalSessions.endOtherPortalSessions(accountId);
      return summary;
    },
  };
}
