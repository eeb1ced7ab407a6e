// Owns what happens once an upstream identity is signed in or linked: refresh the profile fields the
// customer allowed, or (first time) hold the sign-in and show the import page; then end the login step.
import type { Context } from 'koa';
import type { ConnectorRegistry } from '../authn/federation/connectors.ts';
import type { HeldFinish, HeldSignIn, ProfileImport, UpstreamProfile } from '../authn/federation/profile-import.ts';
import { ACR_TWO_FACTOR } from '../authn/mfa/policy.ts';
import { finish, finishLogin, renderPage } from './context.ts';
import { completeInteractiveLogin, type PasskeyOfferPorts } from './passkey-offer.ts';

export interface SignedInPorts extends PasskeyOfferPorts {
  profileImport: ProfileImport;
  connectors: ConnectorRegistry;
}

export function federationErrorPage(ports: SignedInPorts, ctx: Context, title: string, message: string, status: number, uid?: string): void {
  renderPage(ports, ctx, 'journey/federation-error', { title, message, backUid: uid ?? (ctx.params.uid as string | undefined) }, status);
}

/** Ends the login (or second-factor) step the way the held sign-in says. */
export async function endHeldSignIn(ports: SignedInPorts, ctx: Context, held: Pick<HeldSignIn, 'accountId' | 'amr' | 'finish'>): Promise<void> {
  switch (held.finish) {
    case 'login':
      return finishLogin(ports, ctx, held.accountId, held.amr);
    case 'interactive':
      return completeInteractiveLogin(ports, ctx, held.accountId, held.amr);
    case 'second_factor':
      return finish(ports, ctx, { login: { accountId: held.accountId, amr: held.amr, acr: ACR_TWO_FACTOR, remember: true } }, false);
  }
}

/** Called with an identity the customer has just proven: import as allowed, or ask first. */
export async function continueSignedIn(
  ports: SignedInPorts,
  ctx: Context,
  signedIn: { accountId: string; amr: string[]; connector: string; profile: UpstreamProfile; finish: HeldFinish },
): Promise<void> {
  const { profile, ...held } = signedIn;
  if ((await ports.profileImport.onSignIn({ accountId: held.accountId, connector: held.connector, profile })) === 'ask') {
    const uid = String(ctx.params.uid);
    await ports.profileImport.hold(uid, held, profile);
    ctx.redirect(`/interaction/${encodeURIComponent(uid)}/federation/import`);
    ctx.status = 303;
    return;
  }
  await endHeldSignIn(ports, ctx, held);
}
