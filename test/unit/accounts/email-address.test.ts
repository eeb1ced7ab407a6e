// One address, one key: NFC, trimmed, lower-cased for comparing; the edge schema accepts addresses in any
// script and hands on their canonical form.
import { describe, expect, it } from 'vitest';
import { canonicalEmail, emailSchema, normalizeEmail } from '../../../src/accounts/email-address.ts';
import { readImportRow } from '../../../src/accounts/import/row.ts';
import { createCredentialThrottle } from '../../../src/authn/credential-throttle.ts';
import { memoryQueries } from '../../support/memory-throttle.ts';

const COMPOSED = 'Zo\u00e9@Example.com';
const DECOMPOSED = ' zoe\u0301@example.COM ';

describe('email addresses', () => {
  it('compare equal in any Unicode form, case or surrounding space', () => {
    expect(normalizeEmail(COMPOSED)).toBe(normalizeEmail(DECOMPOSED));
    expect(normalizeEmail(DECOMPOSED)).toBe('zo\u00e9@example.com');
    expect(canonicalEmail(DECOMPOSED)).toBe('zo\u00e9@example.COM');
  });

  it('are accepted at the edge in any script, canonical, and refused when malformed', () => {
    expect(emailSchema.parse(DECOMPOSED)).toBe('zo\u00e9@example.COM');
    expect(emailSchema.parse('名前@例え.jp')).toBe('名前@例え.jp');
    for (const bad of ['a@b', 'a..b@x.com', '@x.com', 'a b@x.com', 'a@x.com.', `${'a'.repeat(250)}@x.com`]) expect(emailSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('are one key for the credential throttle', async () => {
    const queries = memoryQueries();
    const limits = { emailAddressFailures: 2, emailFailures: 50, emailSlowdownSeconds: 30, addressFailures: 100, windowSeconds: 900, codeSendsPerEmail: 2, codeSendsPerAddress: 3 };
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    const wrong = async () => ({ status: 'invalid' });
    const failure = () => 'failure' as const;
    await throttle.attempt({ kind: 'password', subject: COMPOSED, address: '10.0.0.1' }, wrong, failure);
    await throttle.attempt({ kind: 'password', subject: DECOMPOSED, address: '10.0.0.1' }, wrong, failure);
    expect(await throttle.attempt({ kind: 'password', subject: COMPOSED, address: '10.0.0.1' }, wrong, failure)).toMatchObject({ status: 'throttled' });
  });
});

describe('an imported address', () => {
  it('is kept canonical and keyed like one typed in a form', () => {
    const read = readImportRow({ email: DECOMPOSED }, { fields: new Map(), firebase: undefined });
    expect(read).toMatchObject({ row: { email: 'zo\u00e9@example.COM', emailNormalized: normalizeEmail(COMPOSED) } });
    expect(readImportRow({ email: 'not an email' }, { fields: new Map(), firebase: undefined })).toEqual({ problem: 'email: is not an email address' });
  });
});
