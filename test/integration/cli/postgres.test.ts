// The `foyer` command on PostgreSQL (runs when DATABASE_URL is set; a database of its own is created
// and dropped): it works with and without a server running, and a key rotation it makes reaches the
// running server within keyRefreshSeconds.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, foyer, foyerJson, newSecret, publishedKids, removeDir, startServerProcess, tempDir, type FoyerEnv, type ServerProcess } from '../../support/cli.ts';

describe.skipIf(!process.env.DATABASE_URL)('foyer on PostgreSQL', { timeout: 180_000 }, () => {
  let root: string;
  let database: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
  let target: FoyerEnv;
  let server: ServerProcess | undefined;
  const password = 'copper kettle sings at noon';

  beforeAll(async () => {
    root = tempDir();
    database = await createPgDatabase();
    const configFile = join(root, 'foyer.json');
    writeFileSync(configFile, JSON.stringify({ keyRefreshSeconds: 1 }));
    target = { dataDir: join(root, 'data'), databaseUrl: database.url, configFile, secret: newSecret() };
  });
  afterAll(async () => {
    server?.kill();
    await database?.drop();
    removeDir(root);
  });

  it('works with no server running', async () => {
    expect((await foyerJson<{ applied: string[] }>(target, ['migrate'])).applied.length).toBeGreaterThan(0);
    const client = await foyerJson<Record<string, unknown>>(target, ['clients', 'add', '--client-id', 'app1', '--redirect-uri', 'http://127.0.0.1:9/cb']);
    expect(String(client.client_secret).length).toBeGreaterThanOrEqual(32);
    await foyerJson(target, ['users', 'add', '--email', 'a@example.com', '--password-stdin', '--verified'], { stdin: `${password}\n` });
    expect(await foyerJson(target, ['users', 'show', 'a@example.com'])).toMatchObject({ email: 'a@example.com', email_verified: true });
  });

  it('works while a server runs on the same database', async () => {
    server = await startServerProcess(target);
    // No data folder lock or control socket on PostgreSQL: each process connects on its own.
    expect(existsSync(join(target.dataDir, 'foyer.lock'))).toBe(false);
    expect(existsSync(join(target.dataDir, 'foyer.sock'))).toBe(false);

    // The server ensured the account pages' own client at start (the demo is seeded only into an empty database).
    expect((await foyerJson<{ client_id: string }[]>(target, ['clients', 'list'])).map((c) => c.client_id)).toEqual(['app1', 'foyer-account', 'foyer-admin']);
    const pub = await foyerJson<Record<string, unknown>>(target, ['clients', 'add', '--client-id', 'spa', '--public', '--redirect-uri', 'http://127.0.0.1:9/spa']);
    expect(pub).toMatchObject({ client_id: 'spa', token_endpoint_auth_method: 'none' });
    expect(pub).not.toHaveProperty('client_secret');
    // The server sees the new client at once.
    const auth = await fetch(`${server.url}/auth?client_id=spa&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/spa')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(auth.status).toBe(303);
    expect(auth.headers.get('location')).toMatch(/\/interaction\//);

    await foyerJson(target, ['users', 'add', '--email', 'b@example.com', '--password', password]);
    const list = await foyer(target, ['users', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toMatch(/\$argon2|password|hash|secret/i);
    const users = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(users.map((u) => u.email).sort()).toEqual(['a@example.com', 'b@example.com']);
    for (const user of users) expect(Object.keys(user)).toEqual(expect.arrayContaining(['id', 'email', 'email_verified', 'created_at']));

    const duplicate = await foyer(target, ['clients', 'add', '--client-id', 'spa', '--public', '--redirect-uri', 'http://127.0.0.1:9/spa']);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^foyer: .*already exists/)]);
  });

  it('a key rotation by the command reaches the running server within keyRefreshSeconds (1 s here)', async () => {
    const before = await publishedKids(server!.url);
    const rotated = await foyerJson<{ created: string[]; retired: string[] }>(target, ['keys', 'rotate']);
    expect(rotated.retired.sort()).toEqual([...before].sort());
    const rotatedAt = Date.now();
    let published = before;
    while (!rotated.created.every((kid) => published.includes(kid))) {
      // 1 s of refresh interval, plus slack for a loaded machine.
      expect(Date.now() - rotatedAt, `published: ${published.join(', ')}`).toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 100));
      published = await publishedKids(server!.url);
    }
    expect(published).toEqual(expect.arrayContaining(before));
  });

  it('SIGTERM stops the server with exit code 0 within 10 s; the command keeps working', async () => {
    const stopped = await server!.stop('SIGTERM');
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(10_000);
    expect((await foyerJson<{ email: string }[]>(target, ['users', 'list'])).length).toBe(2);
  });
});
