// The release table end to end: one field per legal basis, customers in each state (nothing asked, consent
// given and objections lifted, consent withdrawn, objected, restricted), and for each the ID token asked for
// with `claims`, userinfo and a webhook payload (loopback receiver) release exactly the fields the table
// allows — through real sign-ins with openid-client. An objection or a withdrawal shows in the very next
// userinfo answer and reaches webhooks as its event; lifting it brings the field back.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { callAccountApi, createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startWebhookReceiver } from '../../support/webhook-receiver.ts';

const PASSWORD = 'a long and unusual passphrase';
const text = (name: string) => ({ en: { name, description: `${name}.` } });

// One purpose per legal basis, one profile field held for each (all released by the `profile` scope).
const FIELD_OF = {
  contract: 'contract_no', legal_obligation: 'tax_id', vital_interest: 'blood_group',
  public_interest: 'census_area', legitimate_interest: 'colour', consent: 'newsletter_topic',
} as const;
type Basis = keyof typeof FIELD_OF;
const PURPOSE_OF: Record<Basis, string> = {
  contract: 'account', legal_obligation: 'security', vital_interest: 'emergency',
  public_interest: 'census', legitimate_interest: 'personalisation', consent: 'marketing',
};
const FIELDS = Object.values(FIELD_OF);

// The release table, written out (README "Purposes and what leaves Foyer"): bases whose field is released.
const RELEASED: Record<string, Basis[]> = {
  never_asked: ['contract', 'legal_obligation', 'vital_interest', 'public_interest', 'legitimate_interest'],
  given: ['contract', 'legal_obligation', 'vital_interest', 'public_interest', 'legitimate_interest', 'consent'],
  withdrawn: ['contract', 'legal_obligation', 'vital_interest', 'public_interest', 'legitimate_interest'],
  objected: ['contract', 'legal_obligation', 'vital_interest', 'consent'],
  restricted: ['contract', 'legal_obligation', 'vital_interest'],
};

let server: TestServer;
let rp: RelyingParty;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    outboundAllowPrivate: true,
    webhooks: { pollMilliseconds: 100 },
    consent: {
      purposes: [
        { id: 'account', legalBasis: 'contract', dataCategories: ['email'], texts: text('Your account') },
        { id: 'security', legalBasis: 'legal_obligation', texts: text('Security') },
        { id: 'emergency', legalBasis: 'vital_interest', texts: text('Emergencies') },
        { id: 'census', legalBasis: 'public_interest', texts: text('Census') },
        { id: 'personalisation', legalBasis: 'legitimate_interest', texts: text('Personalisation') },
        { id: 'marketing', legalBasis: 'consent', texts: text('Marketing') },
      ],
    },
    profile: { fields: (Object.entries(FIELD_OF) as [Basis, string][]).map(([basis, key]) => ({ key, label: { en: key }, purpose: PURPOSE_OF[basis] })) },
  } as never);
  rp = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', firstParty: true, scope: 'openid email profile account' });
  await server.services.webhooks.add({ name: 'CRM', url: receiver.url, events: ['*'], fields: ['email', ...FIELDS] });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

async function customer(email: string): Promise<string> {
  const id = await createPasswordAccount(server, email, PASSWORD);
  for (const key of FIELDS) await server.services.profile.setFieldValue({ accountId: id, field: key, value: `${key}-value`, source: 'admin' });
  return id;
}

/** A real sign-in asking for every field in the ID token with `claims`; the ID token, userinfo and the access token. */
async function signIn(email: string) {
  const browser = newBrowser();
  const claims = Object.fromEntries(['email', ...FIELDS].map((c) => [c, null]));
  const auth = await rp.authorizationUrl({ scope: 'openid email profile account', claims: JSON.stringify({ id_token: claims }) });
  const callback = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), email, PASSWORD));
  expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 400)).toBe(true);
  const tokens = await rp.exchange(callback.url, auth);
  const idToken = tokens.claims()!;
  return { idToken, accessToken: tokens.access_token, userinfo: () => oidc.fetchUserInfo(rp.config, tokens.access_token, idToken.sub) };
}

/** The payload a webhook gets about the account for an event emitted now. */
async function webhookProfile(accountId: string) {
  const from = receiver.received.length;
  await server.services.events.emit({ type: 'test.release_probe', accountId });
  const hit = await receiver.waitFor((r) => r.message.type === 'test.release_probe' && r.message.data.sub === accountId, from);
  return hit.message.data as { profile: Record<string, unknown>; withheld: string[] };
}

const releasedFields = (claims: Record<string, unknown>) => FIELDS.filter((key) => key in claims).sort();
const expected = (state: string) => RELEASED[state]!.map((basis) => FIELD_OF[basis]).sort();

describe('the release table through ID token, userinfo and webhooks', () => {
  const choose = (accountId: string, purpose: string, choice: 'grant' | 'withdraw' | 'object' | 'withdraw_objection') =>
    server.services.purposes.choose(accountId, purpose, choice, { channel: 'test' });

  const scenarios: [string, (id: string) => Promise<unknown>][] = [
    ['never_asked', async () => undefined],
    ['given', async (id) => {
      await choose(id, 'marketing', 'grant');
      for (const purpose of ['census', 'personalisation']) {
        await choose(id, purpose, 'object');
        await choose(id, purpose, 'withdraw_objection');
      }
    }],
    ['withdrawn', async (id) => {
      await choose(id, 'marketing', 'grant');
      await choose(id, 'marketing', 'withdraw');
    }],
    ['objected', async (id) => {
      await choose(id, 'marketing', 'grant');
      await choose(id, 'census', 'object');
      await choose(id, 'personalisation', 'object');
    }],
    ['restricted', async (id) => {
      await choose(id, 'marketing', 'grant');
      await server.services.privacy.restriction.restrictProcessing(id, { channel: 'test' });
    }],
  ];

  for (const [state, arrange] of scenarios) {
    it(`${state}: releases ${RELEASED[state]!.join(', ')}`, async () => {
      const email = `${state.replace('_', '-')}@example.com`;
      const accountId = await customer(email);
      await arrange(accountId);
      const { idToken, userinfo } = await signIn(email);
      expect(releasedFields(idToken), 'ID token').toEqual(expected(state));
      const info = await userinfo();
      expect(releasedFields(info), 'userinfo').toEqual(expected(state));
      const webhook = await webhookProfile(accountId);
      expect(releasedFields(webhook.profile), 'webhook').toEqual(expected(state));
      expect(webhook.withheld.sort()).toEqual(FIELDS.filter((f) => !expected(state).includes(f)).sort());
      // The address rests on the contract purpose: released in every state.
      expect(idToken.email).toBe(email);
      expect(info.email).toBe(email);
      expect(webhook.profile.email).toBe(email);
      for (const key of expected(state)) expect(info[key]).toBe(`${key}-value`);
    });
  }
});

describe('immediate effect', () => {
  it('an objection through the Account API removes the field from the next userinfo and reaches webhooks; lifting it brings it back', async () => {
    const accountId = await customer('changes.mind@example.com');
    const { accessToken, userinfo } = await signIn('changes.mind@example.com');
    expect((await userinfo()).colour).toBe('colour-value');

    const from = receiver.received.length;
    const objected = await callAccountApi(server, '/consents/purposes/personalisation', accessToken, { method: 'POST', body: { choice: 'object' } });
    expect(objected.json).toMatchObject({ allowed: false, reason: 'objected' });
    expect(await userinfo()).not.toHaveProperty('colour');
    const event = await receiver.waitFor((r) => r.message.type === 'consent.objected' && r.message.data.sub === accountId, from);
    expect(event.message.data).toMatchObject({ details: { purpose: 'personalisation' }, withheld: ['colour', 'newsletter_topic'] });
    expect(event.message.data.profile).not.toHaveProperty('colour');

    const lifted = await callAccountApi(server, '/consents/purposes/personalisation', accessToken, { method: 'POST', body: { choice: 'withdraw_objection' } });
    expect(lifted.json).toMatchObject({ allowed: true });
    expect((await userinfo()).colour).toBe('colour-value');
    const back = await receiver.waitFor((r) => r.message.type === 'consent.objection_withdrawn' && r.message.data.sub === accountId, from);
    expect(back.message.data).toMatchObject({ profile: { colour: 'colour-value' } });
  });

  it('consent given, then withdrawn: the next userinfo and the next ID token follow at once, and consent.withdrawn reaches webhooks', async () => {
    const accountId = await customer('marketing.fan@example.com');
    const first = await signIn('marketing.fan@example.com');
    expect(await first.userinfo()).not.toHaveProperty('newsletter_topic');
    await callAccountApi(server, '/consents/purposes/marketing', first.accessToken, { method: 'POST', body: { choice: 'grant' } });
    expect((await first.userinfo()).newsletter_topic).toBe('newsletter_topic-value');
    expect((await signIn('marketing.fan@example.com')).idToken.newsletter_topic).toBe('newsletter_topic-value');

    const from = receiver.received.length;
    await callAccountApi(server, '/consents/purposes/marketing', first.accessToken, { method: 'POST', body: { choice: 'withdraw' } });
    expect(await first.userinfo()).not.toHaveProperty('newsletter_topic');
    expect((await signIn('marketing.fan@example.com')).idToken).not.toHaveProperty('newsletter_topic');
    const event = await receiver.waitFor((r) => r.message.type === 'consent.withdrawn' && r.message.data.sub === accountId, from);
    expect(event.message.data).toMatchObject({ details: { purpose: 'marketing' }, withheld: ['newsletter_topic'] });
  });
});
