// Erasure finds the rows that hold a person's address without their account by the address itself, never
// by a substring: erasing ann@x.com takes ann's sign-ins in progress, her app's login_hint and her dev outbox
// mail (typed in any case), and leaves joann@x.com's, whose sign-in then completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throughPrompts, enterEmailAndPassword, newBrowser } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const PASSWORD = 'a long and unusual passphrase';
const ANN = 'ann@x.com';
const JOANN = 'joann@x.com';

beforeAll(async () => {
  // No SMTP_URL on a loopback issuer: mail is kept in the dev outbox.
  server = await startTestServer({ smtpUrl: undefined });
  app = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', firstParty: true });
});
afterAll(async () => server?.stop());

/** A sign-in started by the app with a login_hint, the address typed and its password page shown. */
async function signInInProgress(hint: string, typed = hint) {
  const browser = newBrowser();
  const start = await browser.get((await app.authorizationUrl({ login_hint: hint })).url);
  const passwordPage = await browser.submit(start, '/identify', { email: typed });
  expect(passwordPage.html).toContain('name="password"');
  return { browser, start, passwordPage };
}

/** A password reset asked for, its code mailed to the dev outbox. */
async function resetInProgress(email: string) {
  const { browser, start } = await signInInProgress(email);
  await browser.submit(await browser.get(`${start.url}/forgot`), '/forgot', { email });
  await expect.poll(async () => (await server.dbHandle.db('dev_outbox').where({ recipient: email })).length, { timeout: 5000 }).toBeGreaterThan(0);
}

describe('erasing ann@x.com', () => {
  it('takes her rows that hold the address, and leaves joann@x.com\'s sign-in, session and mail', async () => {
    const { db } = server.dbHandle;
    const annId = await createPasswordAccount(server, ANN, PASSWORD);
    const joannId = await createPasswordAccount(server, JOANN, PASSWORD);
    // Joann is signed in on one browser, is signing in on another, and asked for a reset on a third.
    const signedIn = newBrowser();
    const auth = await app.authorizationUrl();
    expect((await throughPrompts(signedIn, await enterEmailAndPassword(signedIn, await signedIn.get(auth.url), JOANN, PASSWORD))).url.startsWith(CALLBACK)).toBe(true);
    const joann = await signInInProgress(JOANN);
    await resetInProgress(JOANN);
    // Ann is signing in (typed in capitals on another browser) and asked for a reset.
    await signInInProgress(ANN);
    await signInInProgress(ANN, 'Ann@X.com');
    await resetInProgress(ANN);

    const flowsFor = async (email: string) => (await db('flows').whereRaw("lower(context->>'email') = ?", [email]).select('id')).length;
    const hinted = async (email: string) => (await db('oidc_models').where({ model: 'Interaction' }).whereRaw("payload->'params'->>'login_hint' = ?", [email])).length;
    const mailsTo = async (email: string) => (await db('dev_outbox').where({ recipient: email })).length;
    const sessionsOf = async (accountId: string) => (await db('oidc_models').where({ model: 'Session', account_id: accountId })).length;
    const joannBefore = { flows: await flowsFor(JOANN), hinted: await hinted(JOANN), mails: await mailsTo(JOANN), sessions: await sessionsOf(joannId) };
    // Joann: the signed-in browser's flow and the two in progress (sign-in, reset: a flow each, two for the reset).
    expect(joannBefore).toEqual({ flows: 4, hinted: 2, mails: 1, sessions: 1 });
    expect([await flowsFor(ANN), await hinted(ANN), await mailsTo(ANN)]).toEqual([4, 3, 1]);

    await server.services.privacy.erasure.requestErasure(annId, { channel: 'test' });
    expect(await server.services.privacy.erasure.purgeAccount(annId)).toBe(true);

    expect([await flowsFor(ANN), await hinted(ANN), await mailsTo(ANN)]).toEqual([0, 0, 0]);
    expect({ flows: await flowsFor(JOANN), hinted: await hinted(JOANN), mails: await mailsTo(JOANN), sessions: await sessionsOf(joannId) }).toEqual(joannBefore);
    // Joann's sign-in in progress goes on where it was.
    const done = await throughPrompts(joann.browser, await joann.browser.submit(joann.passwordPage, '/password', { password: PASSWORD }));
    expect(done.url.startsWith(CALLBACK), done.html.slice(0, 300)).toBe(true);
  });
});
