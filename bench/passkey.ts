// The passkey flows the bench drives over Foyer's real pages, with the tests' software authenticator in
// place of the browser's: registering one passkey per account (preparation) and signing in with it.
import type { Agent } from 'node:http';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { SoftAuthenticator } from '../test/support/soft-authenticator.ts';
import { authorize, browse, completeAuthorization, formOn, submit, type Authorization, type Page, type SignInStats, type TokenSet, type WebClient } from './flows.ts';
import { form, request } from './http.ts';

/** What views/assets/passkey.js does with fetch: POST the form's _csrf to a JSON endpoint. */
async function postJson(agent: Agent, auth: Authorization, url: string, csrf: string, expect: number): Promise<string> {
  const res = await request(agent, url, {
    method: 'POST',
    headers: { accept: 'application/json', cookie: auth.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ _csrf: csrf }),
  });
  auth.jar.store(res.headers['set-cookie']);
  if (res.status !== expect) throw new Error(`POST ${new URL(url).pathname.replace(/\/interaction\/[^/]+/, '/interaction/:uid')}: ${res.status} ${res.body.slice(0, 200)}`);
  return res.body;
}

/** The form's action URL and the answer posted to it, as passkey.js's submitWith does. */
function answer(agent: Agent, auth: Authorization, action: string, csrf: string, response: object): Promise<Page> {
  return browse(agent, auth.jar, auth.stopAt, action, { method: 'POST', body: form({ _csrf: csrf, response: JSON.stringify(response) }) });
}

/**
 * Preparation: signs in with the password from a browser that reported a platform authenticator
 * (POST /passkey/capable), accepts the "Sign in faster next time" offer, creates the passkey with
 * `authenticator` and finishes the code flow. Fails unless the offer was shown and the passkey accepted.
 */
export async function registerPasskey(agent: Agent, client: WebClient, email: string, password: string, authenticator: SoftAuthenticator, stats?: SignInStats): Promise<TokenSet> {
  const auth = await authorize(agent, client);
  const passkeyForm = formOn(auth.start, 'passkey/authenticate');
  await postJson(agent, auth, passkeyForm.action.replace(/\/authenticate$/, '/capable'), passkeyForm.csrf, 204);
  const passwordPage = await submit(agent, auth.jar, auth.stopAt, auth.start, 'identify', { email });
  const offer = await submit(agent, auth.jar, auth.stopAt, passwordPage, 'password', { password });
  if (!/\/passkey\/offer$/.test(offer.url)) throw new Error(`no passkey offer for ${email} after the password (at ${offer.url}, status ${offer.res.status})`);
  const register = formOn(offer, 'passkey/register');
  const options = JSON.parse(await postJson(agent, auth, `${register.action}/options`, register.csrf, 200)) as PublicKeyCredentialCreationOptionsJSON;
  const reached = await answer(agent, auth, register.action, register.csrf, authenticator.create(options, new URL(client.issuer).origin));
  if (/\/passkey\/offer$/.test(reached.url) || /action="[^"]*\/passkey\/register"/.test(reached.res.body)) {
    const error = /<p[^>]*class="[^"]*error[^"]*"[^>]*>([^<]+)/.exec(reached.res.body)?.[1];
    throw new Error(`the passkey of ${email} was refused (status ${reached.res.status}): ${error ?? 'no message'}`);
  }
  return completeAuthorization(agent, client, auth, reached, email, stats);
}

/**
 * A customer signs in with a passkey from a fresh browser: GET /auth → sign-in page → POST passkey
 * authenticate options → the authenticator signs → POST authenticate → back to /auth → code → /token.
 */
export async function passkeySignIn(agent: Agent, client: WebClient, who: string, authenticator: SoftAuthenticator, stats?: SignInStats): Promise<TokenSet> {
  const auth = await authorize(agent, client);
  const signInForm = formOn(auth.start, 'passkey/authenticate');
  const options = JSON.parse(await postJson(agent, auth, `${signInForm.action}/options`, signInForm.csrf, 200)) as PublicKeyCredentialRequestOptionsJSON;
  const reached = await answer(agent, auth, signInForm.action, signInForm.csrf, authenticator.get(options, new URL(client.issuer).origin));
  return completeAuthorization(agent, client, auth, reached, `${who} (passkey)`, stats);
}
