// Owns the step between an interactive sign-in (password, sign-up) and the rest of the journey: offer a
// passkey when it is due and this browser can create one, else finish the login at once.
import type { Context } from 'koa';
import type { PasskeyOffers } from '../authn/passkey/offer.ts';
import { finishLogin, type JourneyPorts, type LoginProof } from './context.ts';

/** Set (HttpOnly, by the server) when the sign-in page's script found a platform authenticator. A hint only. */
export const PASSKEY_CAPABLE_COOKIE = 'foyer.passkey_capable';

export interface PasskeyOfferPorts extends JourneyPorts {
  passkeyOffers: PasskeyOffers;
}

/** Call right after a login step verified `accountId` in this interaction, in place of finishLogin. */
export async function completeInteractiveLogin(ports: PasskeyOfferPorts, ctx: Context, accountId: string, amr: string[], proof: LoginProof = {}): Promise<void> {
  if (ctx.cookies.get(PASSKEY_CAPABLE_COOKIE) === '1' && (await ports.passkeyOffers.shouldOffer(accountId, amr, proof.emailProved === true))) {
    await ports.passkeyOffers.holdLogin(String(ctx.params.uid), accountId, amr, proof.emailProved === true);
    ctx.redirect(`/interaction/${encodeURIComponent(String(ctx.params.uid))}/passkey/offer`);
    ctx.status = 303;
    return;
  }
  await finishLogin(ports, ctx, accountId, amr, proof);
}
