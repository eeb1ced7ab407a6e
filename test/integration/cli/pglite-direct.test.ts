// The `foyer` command as a real process on the embedded database with no server running: it opens the
// data folder itself. Every failure exits non-zero with one line on stderr.
//
// Each command opens the embedded database anew (about 2 s on a small machine, more under load), so
// the two groups below run at the same time, each on a data folder of its own, each in order.
// The embedded database only: the PostgreSQL run (DATABASE_URL set) skips it, as the PGlite run covers it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { foyer, foyerJson, removeDir, tempDir, type CliResult, type FoyerEnv } from '../../support/cli.ts';

const root = tempDir();
const strongPassword = 'violet anchor sunday forty-seven';
const stdinPassword = 'quiet lantern over marble hills';

afterAll(() => removeDir(root));

function expectFailure(result: CliResult, message: RegExp) {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^foyer: /);
  expect(lines[0]).toMatch(message);
}

/** Asserts that the text holds nothing resembling a password hash or a secret. */
function expectNoSecrets(text: string, ...secrets: string[]) {
  expect(text).not.toMatch(/\$argon2|password|hash|secret/i);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe.skipIf(process.env.DATABASE_URL).concurrent('foyer on the embedded database, no server running', { timeout: 180_000 }, () => {
  describe('migrate, clients and resources', () => {
    const target: FoyerEnv = { dataDir: join(root, 'clients') };
    let appSecret: string;

    it.sequential('migrate creates the database in FOYER_DATA_DIR and reports the migrations it applied', async () => {
      const result = await foyerJson<{ applied: string[] }>(target, ['migrate']);
      expect(result.applied.length).toBeGreaterThan(0);
      expect(existsSync(join(target.dataDir, 'pgdata'))).toBe(true);
      // The lock is released when the command ends.
      expect(existsSync(join(target.dataDir, 'foyer.lock'))).toBe(false);
    });

    it.sequential('clients add makes a confidential client with a generated secret by default', async () => {
      const client = await foyerJson<Record<string, unknown>>(target, ['clients', 'add', '--client-id', 'app1', '--redirect-uri', 'http://127.0.0.1:9/cb']);
      expect(client).toMatchObject({ client_id: 'app1', redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'client_secret_basic' });
      expect(typeof client.client_secret).toBe('string');
      appSecret = client.client_secret as string;
      expect(appSecret.length).toBeGreaterThanOrEqual(32);
    });

    it.sequential('clients add --public makes a client without a secret', async () => {
      const client = await foyerJson<Record<string, unknown>>(target, ['clients', 'add', '--client-id', 'spa', '--public', '--redirect-uri', 'http://127.0.0.1:9/spa']);
      expect(client).toMatchObject({ client_id: 'spa', token_endpoint_auth_method: 'none' });
      expect(client).not.toHaveProperty('client_secret');
    });

    it.sequential('clients list and show print the clients, never the secret (started at once: one waits for the other)', async () => {
      // Only one process can open the embedded database: the second command waits for the first.
      const [listed, shown] = await Promise.all([foyer(target, ['clients', 'list', '--json']), foyer(target, ['clients', 'show', 'app1', '--json'])]);
      expect(listed.code, listed.stderr).toBe(0);
      const clients = JSON.parse(listed.stdout) as { client_id: string }[];
      expect(clients.map((c) => c.client_id).sort()).toEqual(['app1', 'spa']);
      expect(listed.stdout).not.toContain(appSecret);

      expect(shown.code, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ client_id: 'app1', redirect_uris: ['http://127.0.0.1:9/cb'] });
      expect(shown.stdout).not.toContain(appSecret);
    });

    it.sequential('refuses a duplicate client id', async () => {
      expectFailure(await foyer(target, ['clients', 'add', '--client-id', 'app1', '--redirect-uri', 'http://127.0.0.1:9/other']), /already exists/);
    });

    it.sequential('refuses clients add without --client-id', async () => {
      expectFailure(await foyer(target, ['clients', 'add', '--redirect-uri', 'http://127.0.0.1:9/cb', '--json']), /--client-id/);
    });

    it.sequential('clients remove deletes the client', async () => {
      expect(await foyerJson(target, ['clients', 'remove', 'app1'])).toEqual({ removed: 'app1' });
    });

    it.sequential('resources add, list and remove an API', async () => {
      const added = await foyerJson(target, ['resources', 'add', '--id', 'https://api.example.com', '--scope', 'read write']);
      expect(added).toMatchObject({ id: 'https://api.example.com', scopes: ['read', 'write'] });
      const listed = await foyerJson<{ id: string; scopes: string[] }[]>(target, ['resources', 'list']);
      expect(listed).toEqual([expect.objectContaining({ id: 'https://api.example.com', scopes: ['read', 'write'] })]);
      expect(await foyerJson(target, ['resources', 'remove', 'https://api.example.com'])).toEqual({ removed: 'https://api.example.com' });
    });
  });

  describe('users and keys', () => {
    // No `foyer migrate` first: every command migrates the database it opens.
    const target: FoyerEnv = { dataDir: join(root, 'users') };
    let userId: string;

    it.sequential('users add --password --verified creates an active, verified account', async () => {
      const result = await foyer(target, ['users', 'add', '--email', 'a@example.com', '--password', strongPassword, '--verified', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expectNoSecrets(result.stdout, strongPassword);
      const user = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(user).toMatchObject({ email: 'a@example.com', email_verified: true, status: 'active' });
      userId = user.id as string;
      expect(userId).toBeTruthy();
    });

    it.sequential('users add --password-stdin reads the password from standard input', async () => {
      const result = await foyer(target, ['users', 'add', '--email', 'b@example.com', '--password-stdin', '--json'], { stdin: `${stdinPassword}\n` });
      expect(result.code, result.stderr).toBe(0);
      expectNoSecrets(result.stdout, stdinPassword);
      expect(JSON.parse(result.stdout)).toMatchObject({ email: 'b@example.com', email_verified: false, status: 'active' });
    });

    it.sequential('users list --json is an array of id, email, email_verified, created_at — with no hash or secret', async () => {
      const result = await foyer(target, ['users', 'list', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expectNoSecrets(result.stdout, strongPassword, stdinPassword);
      const users = JSON.parse(result.stdout) as Record<string, unknown>[];
      expect(Array.isArray(users)).toBe(true);
      expect(users.map((u) => u.email).sort()).toEqual(['a@example.com', 'b@example.com']);
      for (const user of users) {
        expect(typeof user.id).toBe('string');
        expect(typeof user.email_verified).toBe('boolean');
        expect(Number.isNaN(Date.parse(user.created_at as string))).toBe(false);
      }
      expect(users.find((u) => u.email === 'a@example.com')).toMatchObject({ id: userId, email_verified: true });
    });

    it.sequential('users show prints one user', async () => {
      const result = await foyer(target, ['users', 'show', 'a@example.com', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expectNoSecrets(result.stdout, strongPassword);
      expect(JSON.parse(result.stdout)).toMatchObject({ id: userId, email: 'a@example.com', email_verified: true });
    });

    it.sequential('refuses a weak password', async () => {
      expectFailure(await foyer(target, ['users', 'add', '--email', 'c@example.com', '--password', 'password1234']), /password/i);
    });

    it.sequential('refuses an invalid email', async () => {
      expectFailure(await foyer(target, ['users', 'add', '--email', 'not-an-email', '--password', strongPassword, '--json']), /email/i);
    });

    it.sequential('fails to show a missing user', async () => {
      expectFailure(await foyer(target, ['users', 'show', 'nobody@example.com', '--json']), /nobody@example\.com/);
    });

    it.sequential('keys rotate creates new signing keys', async () => {
      const result = await foyerJson<{ created: string[]; retired: string[] }>(target, ['keys', 'rotate']);
      expect(result.created.length).toBeGreaterThan(0);
      expect(Array.isArray(result.retired)).toBe(true);
    });

    it.sequential('an unknown command, or none, fails with one line and without touching the data folder', async () => {
      const elsewhere: FoyerEnv = { dataDir: join(root, 'untouched') };
      expectFailure(await foyer(elsewhere, ['frobnicate', 'all']), /unknown command "frobnicate all"/);
      expectFailure(await foyer(elsewhere, ['clients', 'purge', '--json']), /unknown command "clients purge"/);
      expectFailure(await foyer(elsewhere, []), /command/);
      expect(existsSync(elsewhere.dataDir)).toBe(false);
      const help = await foyer(elsewhere, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('clients add');
    });
  });
});
