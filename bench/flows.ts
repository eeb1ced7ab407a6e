// The protocol steps the bench drives: a full password sign-in through the authorization-code flow
// with PKCE (as a browser and a relying app would), and one refresh-token rotation. The browsing and
// code-exchange steps are shared with the passkey flows (passkey.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { basicAuth, CookieJar, form, request, type Response } from './http.ts';

export interface WebClient {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type: string;
  expires_in: number;
}

const decode = (text: string) => text.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

export interface Page {
  url: string;
  res: Response;
}

/** Follows redirects like a browser (303/302 become GET), stopping at the relying app's callback. */
export async function browse(agent: Agent, jar: CookieJar, stopAt: string, url: string, init: { method?: string; body?: string } = {}): Promise<Page> {
  let current = url;
  let method = init.method ?? 'GET';
  let body = init.body;
  for (let hop = 0; hop < 10; hop++) {
    const res = await request(agent, current, {
      method,
      ...(body !== undefined ? { body } : {}),
      headers: { accept: 'text/html', cookie: jar.header(), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    jar.store(res.headers['set-cookie']);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location) {
      current = new URL(location, current).href;
      if (current.startsWith(stopAt)) return { url: current, res };
      method = 'GET';
      body = undefined;
      continue;
    }
    return { url: current, res };
  }
  throw new Error(`too many redirects from ${url}`);
}

/** The hidden _csrf field and the action of the form whose action ends with `/${step}`. */
export function formOn(page: Page, step: string): { action: string; csrf: string } {
  const html = page.res.body;
  const action = new RegExp(`<form[^>]*action="([^"]*/${step})"`).exec(html)?.[1];
  const csrf = /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
  if (!action || !csrf) {
    const snippet = html.replace(/\s+/g, ' ').slice(0, 300);
    throw new Error(`expected a "${step}" form at ${page.url} (status ${page.res.status}): ${snippet}`);
  }
  return { action: new URL(decode(action), page.url).href, csrf: decode(csrf) };
}

export async function submit(agent: Agent, jar: CookieJar, stopAt: string, page: Page, step: string, fields: Record<string, string>): Promise<Page> {
  const { action, csrf } = formOn(page, step);
  return browse(agent, jar, stopAt, action, { method: 'POST', body: form({ _csrf: csrf, ...fields }) });
}

export interface SignInStats {
  /** How many times the "updated terms" page had to be accepted (first sign-in of each account). */
  termsAccepted: number;
}

/** One authorization request from a fresh browser: its cookie jar, PKCE verifier, state, and where it landed. */
export interface Authorization {
  jar: CookieJar;
  verifier: string;
  state: string;
  stopAt: string;
  /** The sign-in page (after GET /auth and its redirect). */
  start: Page;
}

/**
 * GET /auth with PKCE, following redirects: from a fresh cookie jar to Foyer's sign-in page, or from a
 * browser with a session (`jar`) wherever Foyer leads a returning customer (straight to the callback when
 * no prompt is due).
 */
export async function authorize(agent: Agent, client: WebClient, jar = new CookieJar()): Promise<Authorization> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const auth = new URL(`${client.issuer}/auth`);
  auth.search = form({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const stopAt = client.redirectUri;
  const start = await browse(agent, jar, stopAt, auth.href);
  return { jar, verifier, state, stopAt, start };
}

/**
 * From the page a sign-in step led to: accepts the terms once if they are asked for, checks the code at
 * the callback, and exchanges it at /token with the PKCE verifier as the relying app would.
 */
export async function completeAuthorization(agent: Agent, client: WebClient, auth: Authorization, reached: Page, who: string, stats?: SignInStats): Promise<TokenSet> {
  let page = reached;
  if (!page.url.startsWith(auth.stopAt) && /action="[^"]*\/terms"/.test(page.res.body)) {
    page = await submit(agent, auth.jar, auth.stopAt, page, 'terms', { accept: 'yes' });
    if (stats) stats.termsAccepted++;
  }
  if (!page.url.startsWith(auth.stopAt)) {
    const error = /<p[^>]*class="[^"]*error[^"]*"[^>]*>([^<]*)/.exec(page.res.body)?.[1] ?? page.res.body.replace(/\s+/g, ' ').slice(0, 300);
    throw new Error(`sign-in of ${who} ended at ${page.url} (status ${page.res.status}): ${error}`);
  }
  const callback = new URL(page.url);
  if (callback.searchParams.get('error')) throw new Error(`sign-in of ${who}: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  if (callback.searchParams.get('state') !== auth.state) throw new Error('state mismatch at the callback');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code at the callback ${page.url}`);

  const res = await request(agent, `${client.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client.clientId, client.clientSecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: auth.verifier }),
  });
  if (res.status !== 200) throw new Error(`code exchange: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as TokenSet;
}

/**
 * A customer signs in from a fresh browser: GET /auth → sign-in page → POST identify → password page →
 * POST password → back to /auth → code at the callback → the app exchanges it at /token with PKCE.
 */
export async function signIn(agent: Agent, client: WebClient, email: string, password: string, stats?: SignInStats): Promise<TokenSet> {
  return (await passwordSignIn(agent, client, email, password, stats)).tokens;
}

/** The password sign-in of `signIn`, keeping the browser: its cookie jar holds Foyer's session afterwards. */
export async function signInKeepingBrowser(agent: Agent, client: WebClient, email: string, password: string, stats?: SignInStats): Promise<CookieJar> {
  return (await passwordSignIn(agent, client, email, password, stats)).jar;
}

async function passwordSignIn(agent: Agent, client: WebClient, email: string, password: string, stats?: SignInStats): Promise<{ tokens: TokenSet; jar: CookieJar }> {
  const auth = await authorize(agent, client);
  const passwordPage = await submit(agent, auth.jar, auth.stopAt, auth.start, 'identify', { email });
  const reached = await submit(agent, auth.jar, auth.stopAt, passwordPage, 'password', { password });
  return { tokens: await completeAuthorization(agent, client, auth, reached, email, stats), jar: auth.jar };
}

/**
 * A returning customer (SSO): the browser `jar` has a Foyer session, so GET /auth (a fresh PKCE, state and
 * nonce) leads straight to the callback when no prompt is due, or through the pages Foyer shows then
 * (`completeAuthorization` accepts changed terms; any other page fails the flow); the code is exchanged at
 * /token.
 */
export async function ssoSignIn(agent: Agent, client: WebClient, jar: CookieJar, who: string, stats?: SignInStats): Promise<TokenSet> {
  const auth = await authorize(agent, client, jar);
  return completeAuthorization(agent, client, auth, auth.start, who, stats);
}

/** One refresh with rotation; returns the new refresh token (the chain continues with it). */
export async function refresh(agent: Agent, tokenUrl: string, clientId: string, clientSecret: string, refreshToken: string): Promise<string> {
  const res = await request(agent, tokenUrl, {
    method: 'POST',
    headers: { authorization: basicAuth(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${res.body.slice(0, 200)}`);
  const body = JSON.parse(res.body) as TokenSet;
  if (!body.refresh_token || body.refresh_token === refreshToken) throw new Error('refresh: the refresh token was not rotated');
  if (!body.access_token || !body.id_token) throw new Error('refresh: no access token or ID token in the response');
  return body.refresh_token;
}
