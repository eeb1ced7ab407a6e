// `foyer documents …` and `foyer purposes list` as operators run them, against an `npm start` server
// process (on PGlite the command is handed to the server over its socket), then with the server stopped.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foyer, foyerJson, newSecret, removeDir, startServerProcess, tempDir, type FoyerEnv, type ServerProcess } from '../../support/cli.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch.ts';

const root = tempDir();
let target: FoyerEnv;
let scratch: ScratchDatabase | undefined;
let server: ServerProcess;

beforeAll(async () => {
  if (process.env.DATABASE_URL) scratch = await createScratchDatabase(process.env.DATABASE_URL, 'foyer_consent_cli');
  target = { dataDir: join(root, 'data'), secret: newSecret(), databaseUrl: scratch?.url };
  // A generous start: the machine running the suite may be busy with other test files.
  server = await startServerProcess(target, { readyTimeoutMs: 120_000 });
}, 150_000);
afterAll(async () => {
  server?.kill();
  await scratch?.drop();
  removeDir(root);
});

describe('foyer documents and purposes', { timeout: 90_000 }, () => {
  it('publishes a material version the running server asks for, and lists versions and purposes', async () => {
    expect(await foyerJson(target, ['documents', 'publish', '--document', 'terms', '--version', '2', '--url', 'https://example.com/terms/2']))
      .toMatchObject({ document: 'terms', version: '2', material: true });
    const documents = await foyerJson<{ id: string; versions: { version: string }[] }[]>(target, ['documents', 'list']);
    expect(documents.find((d) => d.id === 'terms')!.versions.map((v) => v.version)).toEqual(['2', '1']);
    const privacy = await (await fetch(`${server.url}/privacy`)).text();
    expect(privacy).toContain('https://example.com/terms/2');
    const purposes = await foyerJson<{ id: string; legal_basis: string }[]>(target, ['purposes', 'list']);
    expect(purposes).toEqual(expect.arrayContaining([{ id: 'account', legal_basis: 'contract', name: 'Your account', data_categories: ['email', 'credentials'] }]));
    const jwks = await (await fetch(`${server.url}/consent/receipts/jwks.json`)).json() as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });

  it('fails with one line for a version that exists or a bad flag', async () => {
    const again = await foyer(target, ['documents', 'publish', '--document', 'terms', '--version', '2']);
    expect(again.code).toBe(1);
    expect(again.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('already exists');
    const bad = await foyer(target, ['documents', 'publish', '--document', 'terms', '--version', '3', '--published-at', 'soon']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--published-at');
    const client = await foyer(target, ['clients', 'add', '--client-id', 'club', '--redirect-uri', 'http://127.0.0.1:9/cb', '--document', 'nope']);
    expect(client.stderr).toContain('no document with id "nope"');
  });

  it('works on its own once the server has stopped, and the version is still there', async () => {
    await server.stop();
    expect(await foyerJson(target, ['documents', 'publish', '--document', 'terms', '--version', '2.1', '--editorial'])).toMatchObject({ material: false });
    const documents = await foyerJson<{ id: string; versions: { version: string; material: boolean }[] }[]>(target, ['documents', 'list']);
    expect(documents.find((d) => d.id === 'terms')!.versions.map((v) => [v.version, v.material])).toEqual([['2.1', false], ['2', true], ['1', true]]);
  });
});
