// Documents end to end through real sign-ins (openid-client as the app): a material version published
// with `foyer documents publish` asks again before the sign-in completes, an editorial one does not, a
// scheduled one waits for its time, and a client's own required documents are asked of its customers only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { startServerWithClubRules } from '../../support/documents.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
let club: RelyingParty;
const password = 'a long and unusual passphrase';
const email = 'reader@example.com';

const foyer = async (...argv: string[]) => {
  const result = await runCommand([...argv, '--json'], { services: server.services });
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

beforeAll(async () => {
  ({ server, club } = await startServerWithClubRules());
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const callback = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, password));
  expect(callback.url.startsWith(CALLBACK)).toBe(true);
});
afterAll(async () => server?.stop());

/** A sign-in from a fresh browser up to the page after the password (terms, consent or the callback). */
async function signIn(rp: RelyingParty) {
  const browser = newBrowser();
  const auth = await rp.authorizationUrl();
  return { browser, auth, page: await enterEmailAndPassword(browser, await browser.get(auth.url), email, password) };
}

const documentRecords = async () => (await server.dbHandle.db('consent_records').where({ subject_kind: 'document' }).orderBy('created_at')).map((r: { subject_ref: string }) => r.subject_ref);

describe('document versions', () => {
  it('a material version asks again before the sign-in completes; the tokens come after acceptance', async () => {
    expect(await documentRecords()).toEqual(['terms@1']);
    const published = await foyer('documents', 'publish', '--document', 'terms', '--version', '2');
    expect(published).toMatchObject({ document: 'terms', version: '2', material: true });
    const { browser, auth, page } = await signIn(app);
    expect(page.html).toContain('Our terms have changed');
    expect(page.html).toContain('version 2');
    const done = await consentIfAsked(browser, await browser.submit(page, '/terms', { accept: 'yes' }));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const tokens = await app.exchange(done.url, auth);
    expect(tokens.claims()?.sub).toBe((await server.services.accounts.findAccountByEmail(email))!.id);
    expect(await documentRecords()).toEqual(['terms@1', 'terms@2']);
  });

  it('an editorial version does not ask', async () => {
    await foyer('documents', 'publish', '--document', 'terms', '--version', '2.1', '--editorial');
    const { page } = await signIn(app);
    expect(page.url.startsWith(CALLBACK)).toBe(true);
    expect(await documentRecords()).toEqual(['terms@1', 'terms@2']);
  });

  it('a version scheduled for later asks nothing until its time', async () => {
    await foyer('documents', 'publish', '--document', 'terms', '--version', '3', '--published-at', new Date(Date.now() + 86_400_000).toISOString());
    const { page } = await signIn(app);
    expect(page.url.startsWith(CALLBACK)).toBe(true);
  });

  it('a document the client requires is asked of its customers only, as its newest version', async () => {
    const atClub = await signIn(club);
    expect(atClub.page.html).toContain('Club rules');
    expect(atClub.page.html).not.toContain('Terms of service');
    expect(atClub.page.html).toContain('Please accept our terms'); // first time for this document, though not for the terms
    const done = await consentIfAsked(atClub.browser, await atClub.browser.submit(atClub.page, '/terms', { accept: 'yes' }));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    expect(await documentRecords()).toContain('club-rules@1');
    // The other app never asks for the club's rules, even after a new material version of them.
    await foyer('documents', 'publish', '--document', 'club-rules', '--version', '2');
    expect((await signIn(app)).page.url.startsWith(CALLBACK)).toBe(true);
    const again = (await signIn(club)).page.html;
    expect(again).toContain('Club rules');
    expect(again).toContain('Our terms have changed');
  });

  it('a sign-up through the client accepts the documents shown there, then asks for the client\'s own', async () => {
    const browser = newBrowser();
    const auth = await club.authorizationUrl();
    const afterCode = await signUp(server, browser, await browser.get(auth.url), 'new-member@example.com', password);
    expect(afterCode.html).toContain('Club rules');
    const done = await consentIfAsked(browser, await browser.submit(afterCode, '/terms', { accept: 'yes' }));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const member = (await server.services.accounts.findAccountByEmail('new-member@example.com'))!.id;
    const refs = (await server.services.consent.history(member)).filter((r) => r.subjectKind === 'document').map((r) => [r.subjectRef, r.channel]).reverse();
    expect(refs).toEqual([['terms@2.1', 'sign-up'], ['club-rules@2', 'sign-in']]);
  });

  it('refuses to publish an unknown document or an existing version, with a clear message', async () => {
    const unknown = await runCommand(['documents', 'publish', '--document', 'nope', '--version', '1'], { services: server.services });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no document with id "nope"');
    const again = await runCommand(['documents', 'publish', '--document', 'terms', '--version', '2'], { services: server.services });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already exists');
    const listed = await runCommand(['documents', 'list', '--json'], { services: server.services });
    const terms = (JSON.parse(listed.stdout) as { id: string; versions: { version: string; material: boolean }[] }[]).find((d) => d.id === 'terms')!;
    expect(terms.versions.map((v) => [v.version, v.material])).toEqual([['3', true], ['2.1', false], ['2', true], ['1', true]]);
  });
});
