// The passkey domain on a real database, without HTTP: registration and sign-in bound to an interaction,
// challenges used once and expiring, and what the account pages will call — list, rename, remove —
// always scoped to the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountQueries } from '../../../src/accounts/queries.ts';
import { createCredentialThrottle } from '../../../src/authn/credential-throttle.ts';
import { createPasskeyOffers } from '../../../src/authn/passkey/offer.ts';
import { createPasskeyQueries } from '../../../src/authn/passkey/queries.ts';
import { createPasskeyService, type PasskeyService } from '../../../src/authn/passkey/service.ts';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createFlowStore } from '../../../src/flows/store.ts';
import { createThrottleQueries } from '../../../src/security/throttle.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
import { createTestDb } from '../../support/test-db.ts';

const ORIGIN = 'https://id.example.com';
let handle: DbHandle;
let passkeys: PasskeyService;
let alice: string;
let bob: string;

beforeAll(async () => {
  handle = await createTestDb();
  const accounts = createAccountQueries(handle.db);
  const throttle = createCredentialThrottle(createThrottleQueries(handle.db), Buffer.alloc(32, 1), {
    emailAddressFailures: 5, emailFailures: 50, emailSlowdownSeconds: 30, addressFailures: 100, windowSeconds: 900, codeSendsPerEmail: 5, codeSendsPerAddress: 30,
  });
  passkeys = createPasskeyService({ settings: { enabled: true, rpId: 'id.example.com', rpName: 'Example', origins: [ORIGIN] }, queries: createPasskeyQueries(handle.db), accounts, throttle });
  alice = (await accounts.insertAccount({ email: 'alice@example.com', status: 'active', emailVerified: true })).id;
  bob = (await accounts.insertAccount({ email: 'bob@example.com', status: 'active', emailVerified: true })).id;
});
afterAll(async () => handle?.close());

async function register(accountId: string, email: string, name = 'Laptop') {
  const authenticator = createSoftAuthenticator();
  const options = await passkeys.registrationOptions({ interactionUid: 'uid-register', accountId, email });
  const result = await passkeys.verifyRegistration({ interactionUid: 'uid-register', accountId, response: JSON.stringify(authenticator.create(options, ORIGIN)), name });
  expect(result.status).toBe('ok');
  return authenticator;
}

describe('registration', () => {
  it('keeps one user handle per account and excludes the passkeys it already has', async () => {
    const first = await register(alice, 'alice@example.com');
    const options = await passkeys.registrationOptions({ interactionUid: 'uid-register', accountId: alice, email: 'alice@example.com' });
    const [row] = await handle.db('passkeys').where({ account_id: alice });
    expect(options.user.id).toBe(row.user_handle);
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([first.credentialId]);
    expect(options.user.id).not.toContain(alice);
  });

  it('refuses a challenge issued for another account, and one answered twice', async () => {
    const options = await passkeys.registrationOptions({ interactionUid: 'uid-bob', accountId: bob, email: 'bob@example.com' });
    const response = JSON.stringify(createSoftAuthenticator().create(options, ORIGIN));
    expect(await passkeys.verifyRegistration({ interactionUid: 'uid-bob', accountId: alice, response, name: 'x' })).toEqual({ status: 'invalid', reason: 'challenge' });
    expect(await passkeys.verifyRegistration({ interactionUid: 'uid-bob', accountId: bob, response, name: 'x' })).toEqual({ status: 'invalid', reason: 'challenge' });
  });

  it('refuses a credential that is already registered', async () => {
    const authenticator = createSoftAuthenticator();
    const once = await passkeys.registrationOptions({ interactionUid: 'uid-dup', accountId: bob, email: 'bob@example.com' });
    expect((await passkeys.verifyRegistration({ interactionUid: 'uid-dup', accountId: bob, response: JSON.stringify(authenticator.create(once, ORIGIN)), name: 'x' })).status).toBe('ok');
    const twice = await passkeys.registrationOptions({ interactionUid: 'uid-dup', accountId: alice, email: 'alice@example.com' });
    expect(await passkeys.verifyRegistration({ interactionUid: 'uid-dup', accountId: alice, response: JSON.stringify(authenticator.create(twice, ORIGIN)), name: 'x' })).toEqual({ status: 'invalid', reason: 'duplicate' });
    await handle.db('passkeys').where({ account_id: bob }).delete();
  });
});

describe('sign-in challenges', () => {
  it('are bound to their interaction, used once, and expire', async () => {
    const authenticator = await register(bob, 'bob@example.com');
    const options = await passkeys.signInOptions('uid-a');
    const response = JSON.stringify(authenticator.get(options, ORIGIN));
    expect(await passkeys.verifySignIn({ interactionUid: 'uid-b', response, address: '192.0.2.1' })).toEqual({ status: 'invalid', reason: 'challenge' });
    expect(await passkeys.verifySignIn({ interactionUid: 'uid-a', response, address: '192.0.2.1' })).toMatchObject({ status: 'ok', accountId: bob, amr: ['hwk', 'user'] });
    expect(await passkeys.verifySignIn({ interactionUid: 'uid-a', response, address: '192.0.2.1' })).toEqual({ status: 'invalid', reason: 'challenge' });

    const late = await passkeys.signInOptions('uid-late');
    await handle.db('passkey_challenges').where({ interaction_uid: 'uid-late' }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await passkeys.verifySignIn({ interactionUid: 'uid-late', response: JSON.stringify(authenticator.get(late, ORIGIN)), address: '192.0.2.1' })).toEqual({ status: 'invalid', reason: 'challenge' });
  });

  it('refuses a passkey of an account that may no longer sign in', async () => {
    const carol = (await createAccountQueries(handle.db).insertAccount({ email: 'carol@example.com', status: 'active', emailVerified: true })).id;
    const authenticator = await register(carol, 'carol@example.com');
    await handle.db('accounts').where({ id: carol }).update({ status: 'disabled' });
    const options = await passkeys.signInOptions('uid-carol');
    expect(await passkeys.verifySignIn({ interactionUid: 'uid-carol', response: JSON.stringify(authenticator.get(options, ORIGIN)), address: '192.0.2.1' })).toEqual({ status: 'invalid', reason: 'account' });
  });
});

describe('managing passkeys (for the account pages)', () => {
  it('lists, renames and removes an account\'s own passkeys only', async () => {
    const listed = await passkeys.listPasskeys(alice);
    expect(listed).toEqual([expect.objectContaining({ name: 'Laptop', synced: false, lastUsedAt: null })]);
    const id = listed[0]!.id;
    expect(await passkeys.renamePasskey(alice, id, '  Work  laptop ')).toBe('ok');
    expect((await passkeys.listPasskeys(alice))[0]!.name).toBe('Work laptop');
    expect(await passkeys.renamePasskey(alice, id, '   ')).toBe('invalid_name');
    expect(await passkeys.renamePasskey(bob, id, 'Mine now')).toBe('not_found');
    expect(await passkeys.removePasskey(bob, id)).toBe(false);
    expect(await passkeys.listPasskeys(alice)).toHaveLength(1);
    expect(await passkeys.removePasskey(alice, id)).toBe(true);
    expect(await passkeys.listPasskeys(alice)).toEqual([]);
    expect(await passkeys.removePasskey(alice, id)).toBe(false);
  });
});

describe('the offer', () => {
  it('holds a login per interaction, and remembers "Not now" per account', async () => {
    const offers = createPasskeyOffers({
      queries: createPasskeyQueries(handle.db), flows: createFlowStore(handle.db, { lookupKey: Buffer.alloc(32, 7) }),
      hasTotp: async () => false, enrolmentNeedsProof: async (_account, amr, emailProved) => !emailProved && amr.includes('pwd'),
    });
    expect(await offers.shouldOffer(alice, ['otp'], false)).toBe(true);
    expect(await offers.shouldOffer(alice, ['pwd'], true)).toBe(true);
    expect(await offers.shouldOffer(alice, ['pwd'], false)).toBe(false); // a password alone adds no first second factor
    expect(await offers.shouldOffer(bob, ['otp'], false)).toBe(false); // bob has a passkey
    await offers.holdLogin('uid-offer', alice, ['pwd'], true);
    const held = await offers.heldLogin('uid-offer');
    expect(held).toMatchObject({ accountId: alice, amr: ['pwd'], emailProved: true });
    expect(await offers.heldLogin('uid-other')).toBeUndefined();
    await offers.declineOffer(alice);
    await offers.declineOffer(alice);
    expect(await offers.shouldOffer(alice, ['otp'], false)).toBe(false);
    await offers.releaseLogin(held!);
    expect(await offers.heldLogin('uid-offer')).toBeUndefined();
  });
});
