// Each preset's resolved settings and claim mapping, Apple's client secret JWT and name field, and the
// cleaning of upstream profile values. Pure functions, no network.
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { appleClaims, appleClientSecret } from '../../../../src/authn/federation/apple.ts';
import { cleanProfileValue, ConnectorSettingsError, mapUpstreamClaims, MICROSOFT_CONSUMERS_TENANT, resolveConnector, type ConnectorInput } from '../../../../src/authn/federation/presets.ts';

const base = { enabled: true, clientId: 'client-1', clientSecret: 'secret-1' };
const resolve = (input: Omit<ConnectorInput, 'enabled' | 'clientId'> & Partial<ConnectorInput>) => resolveConnector({ ...base, ...input } as ConnectorInput);

describe('google', () => {
  it('is OpenID Connect discovery at accounts.google.com with its email_verified flag', () => {
    const c = resolve({ id: 'google', kind: 'google' });
    expect(c).toMatchObject({ name: 'Google', protocol: 'oidc', issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'], pkce: true, clientAuth: 'basic' });
    const mapped = mapUpstreamClaims(c.mapping, { sub: '1234', email: 'a@gmail.com', email_verified: true, given_name: 'Ada', picture: 'https://lh3.googleusercontent.com/a/x', locale: 'en' });
    expect(mapped).toEqual({ subject: '1234', email: 'a@gmail.com', emailVerified: true, profile: { given_name: 'Ada', picture: 'https://lh3.googleusercontent.com/a/x', locale: 'en' } });
    expect(mapUpstreamClaims(c.mapping, { sub: '1', email: 'a@gmail.com', email_verified: false }).emailVerified).toBe(false);
  });

  it('hands on the email in NFC, so it matches an account whose address was typed in another Unicode form', () => {
    const c = resolve({ id: 'google', kind: 'google' });
    expect(mapUpstreamClaims(c.mapping, { sub: '1', email: ' zoe\u0301@gmail.com', email_verified: true }).email).toBe('zo\u00e9@gmail.com');
  });
});

describe('microsoft', () => {
  it('names the tenant in the issuer (common by default), so openid-client checks the {tenantid} template against each token', () => {
    expect(resolve({ id: 'ms', kind: 'microsoft' }).issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    expect(resolve({ id: 'ms', kind: 'microsoft', tenant: 'contoso.onmicrosoft.com' }).issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(resolve({ id: 'ms', kind: 'microsoft', tenant: 'organizations' }).refuseTenants).toEqual([MICROSOFT_CONSUMERS_TENANT]);
    expect(resolve({ id: 'ms', kind: 'microsoft' }).refuseTenants).toBeUndefined();
    expect(() => resolve({ id: 'ms', kind: 'microsoft', tenant: 'evil/../x' })).toThrow(ConnectorSettingsError);
  });
  it('never counts its email as verified (Microsoft does not verify it for every tenant)', () => {
    const c = resolve({ id: 'ms', kind: 'microsoft' });
    expect(mapUpstreamClaims(c.mapping, { sub: 'abc', email: 'a@contoso.com', email_verified: true, name: 'Ada L' })).toMatchObject({ subject: 'abc', email: 'a@contoso.com', emailVerified: false, profile: { name: 'Ada L' } });
  });
});

describe('apple', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  it('is OpenID Connect with form_post and needs a team id, a key id and a private key', () => {
    const c = resolve({ id: 'apple', kind: 'apple', teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: pem, clientSecret: undefined });
    expect(c).toMatchObject({ protocol: 'oidc', issuer: 'https://appleid.apple.com', responseMode: 'form_post', scopes: ['openid', 'email', 'name'], apple: { teamId: 'TEAM123456', keyId: 'KEY1234567' } });
    expect(() => resolve({ id: 'apple', kind: 'apple', keyId: 'K', privateKey: pem })).toThrow(/teamId is required/);
  });
  it('signs its client secret as an ES256 JWT: iss team, sub client id, aud Apple, kid the key id, short-lived', async () => {
    const jwt = await appleClientSecret({ teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: pem, clientId: 'com.example.web' });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    const key = await importSPKI(publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'ES256');
    const { payload } = await jwtVerify(jwt, key, { issuer: 'TEAM123456', audience: 'https://appleid.apple.com', subject: 'com.example.web' });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
  });
  it('takes the name from the first form_post user field, reads "true" as verified, and never trusts a private relay address', () => {
    const c = resolve({ id: 'apple', kind: 'apple', teamId: 'T', keyId: 'K', privateKey: pem });
    const first = appleClaims({ sub: '001.abc', email: 'ada@example.com', email_verified: 'true' }, JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email: 'ada@example.com' }));
    expect(mapUpstreamClaims(c.mapping, first)).toEqual({ subject: '001.abc', email: 'ada@example.com', emailVerified: true, profile: { given_name: 'Ada', family_name: 'Lovelace' } });
    const relay = appleClaims({ sub: '001.abc', email: 'x1@privaterelay.appleid.com', email_verified: 'true', is_private_email: 'true' }, null);
    expect(mapUpstreamClaims(c.mapping, relay)).toMatchObject({ email: 'x1@privaterelay.appleid.com', emailVerified: false, profile: {} });
    expect(appleClaims({ sub: 's' }, '{not json')).toEqual({ sub: 's' });
  });
});

describe('facebook', () => {
  it('is OAuth 2.0 with the Graph /me fields, secret in the body, and an email it cannot vouch for', () => {
    const c = resolve({ id: 'fb', kind: 'facebook' });
    expect(c).toMatchObject({ protocol: 'oauth2', authorizationEndpoint: 'https://www.facebook.com/v19.0/dialog/oauth', tokenEndpoint: 'https://graph.facebook.com/v19.0/oauth/access_token', scopes: ['email', 'public_profile'], clientAuth: 'post' });
    expect(c.userinfoEndpoint).toBe('https://graph.facebook.com/v19.0/me?fields=id,name,email,picture,first_name,last_name');
    const me = { id: '10158', name: 'Ada Lovelace', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', picture: { data: { url: 'https://platform-lookaside.fbsbx.com/p.jpg', height: 50 } } };
    expect(mapUpstreamClaims(c.mapping, me)).toEqual({
      subject: '10158', email: 'ada@example.com', emailVerified: false,
      profile: { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', picture: 'https://platform-lookaside.fbsbx.com/p.jpg' },
    });
  });
});

describe('github', () => {
  it('is OAuth 2.0 with /user for the profile and /user/emails for the primary address', () => {
    const c = resolve({ id: 'gh', kind: 'github' });
    expect(c).toMatchObject({ protocol: 'oauth2', authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token', userinfoEndpoint: 'https://api.github.com/user', emailsEndpoint: 'https://api.github.com/user/emails', scopes: ['read:user', 'user:email'], clientAuth: 'post' });
    // A numeric id becomes the subject; the public profile email is never the one used.
    const mapped = mapUpstreamClaims(c.mapping, { id: 583231, login: 'octocat', name: 'The Octocat', avatar_url: 'https://avatars.githubusercontent.com/u/583231', email: 'public@example.com' });
    expect(mapped).toEqual({ subject: '583231', email: null, emailVerified: false, profile: { name: 'The Octocat', nickname: 'octocat', picture: 'https://avatars.githubusercontent.com/u/583231' } });
  });
});

describe('generic oidc and oauth2', () => {
  it('need their endpoints, default PKCE on and the standard claims, and take a mapping override', () => {
    expect(() => resolve({ id: 'x', kind: 'oidc' })).toThrow(/issuer is required/);
    expect(() => resolve({ id: 'x', kind: 'oauth2', authorizationEndpoint: 'https://a.example/authorize' })).toThrow(/tokenEndpoint is required/);
    const c = resolve({
      id: 'corp', kind: 'oauth2', authorizationEndpoint: 'https://sso.corp.example/authorize', tokenEndpoint: 'https://sso.corp.example/token', userinfoEndpoint: 'https://sso.corp.example/me',
      mapping: { subject: 'user.uid', email: 'user.mail', emailVerified: true, profile: { given_name: 'user.first' } },
    });
    expect(c).toMatchObject({ protocol: 'oauth2', issuer: 'https://sso.corp.example', pkce: true, scopes: [] });
    expect(mapUpstreamClaims(c.mapping, { user: { uid: 'u-1', mail: 'ada@corp.example', first: 'Ada' } })).toEqual({ subject: 'u-1', email: 'ada@corp.example', emailVerified: true, profile: { given_name: 'Ada' } });
    expect(mapUpstreamClaims(c.mapping, { user: {} }).subject).toBeUndefined();
  });
});

describe('cleanProfileValue', () => {
  it('keeps only values Foyer can store as the claim says', () => {
    expect(cleanProfileValue('picture', 'http://insecure.example/p.png')).toBeUndefined();
    expect(cleanProfileValue('picture', 'https://img.example/p.png')).toBe('https://img.example/p.png');
    expect(cleanProfileValue('birthdate', '1990-13-01')).toBeUndefined();
    expect(cleanProfileValue('birthdate', '0000-05-04')).toBe('0000-05-04');
    expect(cleanProfileValue('locale', 'en_GB')).toBe('en-GB');
    expect(cleanProfileValue('given_name', 'x'.repeat(201))).toBeUndefined();
    expect(cleanProfileValue('given_name', 'a\0b')).toBeUndefined();
    expect(cleanProfileValue('given_name', 42)).toBeUndefined();
  });
});
