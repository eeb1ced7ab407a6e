// The `foyer` command while an `npm start` server holds the same embedded database: the command is
// handed to the server over the Unix socket in the data folder. After SIGTERM the command opens the
// folder itself again.
// The embedded database only: the PostgreSQL run (DATABASE_URL set) skips it, as the PGlite run covers it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foyer, foyerJson, newSecret, publishedKids, removeDir, startServerProcess, tempDir, type FoyerEnv, type ServerProcess } from '../../support/cli.ts';

const root = tempDir();
const target: FoyerEnv = { dataDir: join(root, 'data'), secret: newSecret() };
const password = 'amber falcon crosses the fjord';
let server: ServerProcess;

function expectOneLineFailure(result: { code: number | null; stdout: string; stderr: string }, message: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(message);
}

describe.skipIf(process.env.DATABASE_URL)('foyer while the server holds the embedded database', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    server = await startServerProcess(target);
  });
  afterAll(() => {
    server?.kill();
    removeDir(root);
  });

  it('the server holds the data folder (its pid in the lock file)', () => {
    expect(readFileSync(join(target.dataDir, 'foyer.lock'), 'utf8').trim()).toBe(String(server.child.pid));
    // /healthz may answer a moment before the control socket is up; the command waits for it.
  });

  it('migrate is answered by the server over a 0600 socket in the data folder (nothing left to apply)', async () => {
    expect(await foyerJson(target, ['migrate'])).toEqual({ applied: [] });
    const socket = statSync(join(target.dataDir, 'foyer.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
  });

  it('clients add, list, show and remove work', async () => {
    const client = await foyerJson<Record<string, unknown>>(target, ['clients', 'add', '--client-id', 'app1', '--redirect-uri', 'http://127.0.0.1:9/cb', '--name', 'App One']);
    expect(client).toMatchObject({ client_id: 'app1', client_name: 'App One', token_endpoint_auth_method: 'client_secret_basic' });
    expect(String(client.client_secret).length).toBeGreaterThanOrEqual(32);
    const pub = await foyerJson<Record<string, unknown>>(target, ['clients', 'add', '--client-id', 'spa', '--public', '--redirect-uri', 'http://127.0.0.1:9/spa']);
    expect(pub).not.toHaveProperty('client_secret');

    const ids = (await foyerJson<{ client_id: string }[]>(target, ['clients', 'list'])).map((c) => c.client_id);
    // The server seeded the demo app into the empty database.
    expect(ids).toEqual(expect.arrayContaining(['demo', 'app1', 'spa']));
    expect(await foyerJson(target, ['clients', 'show', 'app1'])).toMatchObject({ client_id: 'app1', redirect_uris: ['http://127.0.0.1:9/cb'] });

    expectOneLineFailure(await foyer(target, ['clients', 'add', '--client-id', 'app1', '--redirect-uri', 'http://127.0.0.1:9/cb']), /already exists/);
    expect(await foyerJson(target, ['clients', 'remove', 'spa'])).toEqual({ removed: 'spa' });
    expectOneLineFailure(await foyer(target, ['clients', 'show', 'spa', '--json']), /spa/);
    // The server's own Provider no longer knows the removed client.
    const res = await fetch(`${server.url}/auth?client_id=spa&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/spa')}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
  });

  it('users add (with --password-stdin), list and show work, and failures are one line', async () => {
    const added = await foyer(target, ['users', 'add', '--email', 'a@example.com', '--password-stdin', '--verified', '--json'], { stdin: `${password}\n` });
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ email: 'a@example.com', email_verified: true, status: 'active' });

    // Several commands at once are each answered.
    const lists = await Promise.all([1, 2, 3].map(() => foyer(target, ['users', 'list', '--json'])));
    for (const list of lists) {
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).not.toMatch(/\$argon2|password|hash|secret/i);
      expect(list.stdout).not.toContain(password);
      const users = JSON.parse(list.stdout) as Record<string, unknown>[];
      expect(users).toEqual([expect.objectContaining({ email: 'a@example.com', email_verified: true })]);
      expect(Object.keys(users[0]!)).toEqual(expect.arrayContaining(['id', 'email', 'email_verified', 'created_at']));
    }
    expect(await foyerJson(target, ['users', 'show', 'a@example.com'])).toMatchObject({ email: 'a@example.com' });

    expectOneLineFailure(await foyer(target, ['users', 'add', '--email', 'b@example.com', '--password', 'password1234']), /password/i);
    expectOneLineFailure(await foyer(target, ['users', 'add', '--email', 'nope', '--password', password]), /email/i);
    expectOneLineFailure(await foyer(target, ['users', 'show', 'nobody@example.com']), /nobody@example\.com/);
  });

  it('resources add, list and remove work', async () => {
    expect(await foyerJson(target, ['resources', 'add', '--id', 'https://api.example.com', '--scope', 'read write'])).toMatchObject({ id: 'https://api.example.com', scopes: ['read', 'write'] });
    expect(await foyerJson(target, ['resources', 'list'])).toEqual([expect.objectContaining({ id: 'https://api.example.com', scopes: ['read', 'write'] })]);
    expect(await foyerJson(target, ['resources', 'remove', 'https://api.example.com'])).toEqual({ removed: 'https://api.example.com' });
    expect(await foyerJson(target, ['resources', 'list'])).toEqual([]);
  });

  it('keys rotate is published by the server at once, next to the previous keys', async () => {
    const before = await publishedKids(server.url);
    expect(before.length).toBeGreaterThan(0);
    const rotated = await foyerJson<{ created: string[]; retired: string[] }>(target, ['keys', 'rotate']);
    expect(rotated.created.length).toBeGreaterThan(0);
    expect(rotated.retired.sort()).toEqual([...before].sort());
    // No waiting for keyRefreshSeconds (10 s by default): the command told the server.
    const after = await publishedKids(server.url);
    expect(after).toEqual(expect.arrayContaining([...rotated.created, ...before]));
  });

  it('SIGTERM stops the server with exit code 0 within 10 s and releases the folder', async () => {
    const { code, signal, ms } = await server.stop('SIGTERM');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(10_000);
    expect(existsSync(join(target.dataDir, 'foyer.lock'))).toBe(false);
  });

  it('after the server stops, the command opens the database itself', async () => {
    const users = await foyerJson<{ email: string }[]>(target, ['users', 'list']);
    expect(users.map((u) => u.email)).toEqual(['a@example.com']);
  });
});
