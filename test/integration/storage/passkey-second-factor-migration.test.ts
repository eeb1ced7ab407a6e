// The passkey-second-factor migration lets challenges carry the 'second-factor' purpose (and nothing
// unknown), and can run again over its own result without error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { up } from '../../../migrations/20261122130000_passkey_second_factor.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const challenge = (hash: string, purpose: string) => ({ challenge_hash: hash, interaction_uid: 'uid-1', purpose, expires_at: new Date(Date.now() + 60_000) });

describe('the passkey second-factor migration', () => {
  it('runs twice without error, then accepts second-factor challenges and still refuses unknown purposes', async () => {
    expect(await handle.db.schema.hasTable('passkey_challenges')).toBe(true);
    await up(handle.db);
    await up(handle.db);
    for (const purpose of ['authenticate', 'register', 'second-factor']) await handle.db('passkey_challenges').insert(challenge(`h-${purpose}`, purpose));
    await expect(handle.db('passkey_challenges').insert(challenge('h-bogus', 'bogus'))).rejects.toThrow();
    expect(await handle.db('passkey_challenges').where({ interaction_uid: 'uid-1' })).toHaveLength(3);
  });
});
