// Consent receipts: a signed JWS of the customer's own ledger record that verifies with jose against the
// published receipt key set (not the token keys), fails when tampered with, and survives a restart.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer({ consent: { controller: { name: 'Example Brand Ltd', email: 'dpo@example.com' }, jurisdiction: 'DE' } } as never);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

async function customer(email: string): Promise<string> {
  const browser = newBrowser();
  const callback = await consentIfAsked(browser, await signUp(server, browser, await browser.get((await app.authorizationUrl()).url), email, password));
  expect(callback.url.startsWith(CALLBACK)).toBe(true);
  return (await server.services.accounts.findAccountByEmail(email))!.id;
}

const receiptJwks = async (base = server.url) => {
  const res = await fetch(`${base}/consent/receipts/jwks.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/jwk-set+json');
  return (await res.json()) as JSONWebKeySet;
};

describe('consent receipts', () => {
  it('verify against the published receipt keys and carry the Kantara fields, legal basis and action', async () => {
    const accountId = await customer('receipt@example.com');
    const history = await server.services.consent.history(accountId);
    const terms = history.find((r) => r.subjectKind === 'document')!;
    expect(terms.id).toMatch(/^rcpt_/);
    const jws = (await server.services.receipts.receiptFor(accountId, terms.id))!;
    const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(await receiptJwks()), { issuer: server.url, subject: accountId, algorithms: ['ES256'] });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      version: 'KI-CR-v1.1.0', jurisdiction: 'DE', consentReceiptID: terms.id, jti: terms.id, piiPrincipalId: accountId,
      consentTimestamp: Math.floor(terms.createdAt.getTime() / 1000), collectionMethod: 'Accepted on the sign-up page',
      dataController: { org: 'Example Brand Ltd', email: 'dpo@example.com' }, policyUrl: `${server.url}/privacy`,
      legalBasis: 'contract', action: 'grant', subjectKind: 'document', subjectRef: 'terms@1',
    });
    const purpose = (payload.services as { purposes: Record<string, unknown>[] }[])[0]!.purposes[0]!;
    expect(purpose).toMatchObject({ consentType: 'EXPLICIT', primaryPurpose: true, thirdPartyDisclosure: false });
    expect(String(purpose.purpose)).toContain('Terms of service');

    const scopes = history.find((r) => r.subjectKind === 'client_scopes')!;
    const scopeReceipt = await jwtVerify((await server.services.receipts.receiptFor(accountId, scopes.id))!, createLocalJWKSet(await receiptJwks()));
    expect(scopeReceipt.payload).toMatchObject({ legalBasis: 'consent', clientId: 'app', subjectRef: 'app' });
    expect((scopeReceipt.payload.services as { purposes: { piiCategory: string[] }[] }[])[0]!.purposes[0]!.piiCategory).toEqual(expect.arrayContaining(['openid', 'email']));
  });

  it('a tampered receipt does not verify', async () => {
    const accountId = (await server.services.accounts.findAccountByEmail('receipt@example.com'))!.id;
    const [record] = await server.services.consent.history(accountId);
    const jws = (await server.services.receipts.receiptFor(accountId, record!.id))!;
    const [header, body, signature] = jws.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, action: 'withdraw' })).toString('base64url');
    await expect(jwtVerify(`${header}.${forged}.${signature}`, createLocalJWKSet(await receiptJwks()))).rejects.toThrow(/signature/i);
  });

  it('another account\'s receipt id gives nothing', async () => {
    const mine = (await server.services.accounts.findAccountByEmail('receipt@example.com'))!.id;
    const other = await customer('other-receipt@example.com');
    const [theirs] = await server.services.consent.history(other);
    expect(await server.services.receipts.receiptFor(mine, theirs!.id)).toBeUndefined();
    expect(await server.services.consent.findRecord(mine, theirs!.id)).toBeUndefined();
    expect(await server.services.receipts.receiptFor(other, theirs!.id)).toBeTypeOf('string');
  });

  it('the receipt key is not a token key, and stays published across a restart', async () => {
    const receiptKeys = await receiptJwks();
    expect(receiptKeys.keys).toHaveLength(1);
    expect(receiptKeys.keys[0]).not.toHaveProperty('d');
    const tokenKeys = (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
    const receiptKid = receiptKeys.keys[0]!.kid;
    expect(tokenKeys.keys.map((k) => k.kid)).not.toContain(receiptKid);
    const accountId = (await server.services.accounts.findAccountByEmail('receipt@example.com'))!.id;
    const [record] = await server.services.consent.history(accountId);
    const before = (await server.services.receipts.receiptFor(accountId, record!.id))!;
    expect(decodeProtectedHeader(before).kid).toBe(receiptKid);
    expect((await jwtVerify(before, createLocalJWKSet(receiptKeys))).payload.publicKey).toMatchObject({ kid: receiptKid, kty: 'EC', crv: 'P-256' });

    const again = await startTestServer({ secret: server.config.secret } as never, { dbHandle: server.dbHandle });
    try {
      expect((await receiptJwks(again.url)).keys.map((k) => k.kid)).toEqual([receiptKid]);
      await jwtVerify(before, createLocalJWKSet(await receiptJwks(again.url)));
    } finally {
      await again.stop();
    }
  });
});
