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

/** The 6-digit code of the newest dev-outbox mail to `email` whose subject mentions a code (the outbox lists its 50 newest mails). */
async function mailedCode(agent: Agent, issuer: string, email: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(agent, `${issuer}/dev/outbox.json`, { headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`the dev outbox answered ${res.status}`);
    const mail = (JSON.parse(res.body) as { recipient: string; subject: string; text_body: string }[]).find((m) => m.recipient === email && /code/i.test(m.subject));
    const code = mail && /\b(\d{6})\b/.exec(mail.text_body)?.[1];
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`no code mail for ${email} in the dev outbox within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Preparation: a new customer signs up from a browser that reported a platform authenticator (POST
 * /passkey/capable) — sign-up form, the code mailed to the dev outbox, verify — accepts the "Sign in
 * faster next time" offer Foyer makes after sign-up, creates the passkey with `authenticator` and
 * finishes the code flow. Fails unless the offer was shown and the passkey accepted.
 */
export async function signUpWithPasskey(agent: Agent, client: WebClient, email: string, password: string, authenticator: SoftAuthenticator, stats?: SignInStats): Promise<TokenSet> {
  const auth = await authorize(agent, client);
  const passkeyForm = formOn(auth.start, 'passkey/authenticate');
  await postJson(agent, auth, passkeyForm.action.replace(/\/authenticate$/, '/capable'), passkeyForm.csrf, 204);
  const signUpLink = /href="([^"]*\/signup)"/.exec(auth.start.res.body)?.[1];
  if (!signUpLink) throw new Error(`no sign-up link on the sign-in page (${auth.start.url})`);
  const signUpPage = await browse(agent, auth.jar, auth.stopAt, new URL(signUpLink.replace(/&amp;/g, '&'), auth.start.url).href);
  const sent = await submit(agent, auth.jar, auth.stopAt, signUpPage, 'signup', { email, password, terms: 'yes' });
  const offer = await submit(agent, auth.jar, auth.stopAt, sent, 'signup/verify', { code: await mailedCode(agent, client.issuer, email) });
  if (!/\/passkey\/offer$/.test(offer.url)) throw new Error(`no passkey offer for ${email} after sign-up (at ${offer.url}, status ${offer.res.status})`);
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
