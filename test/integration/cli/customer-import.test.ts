// `foyer users import FILE` and `foyer users export --format jsonl` as operators run them: a progress bar on a
// terminal, a summary with each rejected row's reason, and the same with a server running (on the embedded
// database the file streams to the server over the control socket, and the export streams back).
// On PostgreSQL when DATABASE_URL is set, else on an embedded database.
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSync as bcryptHash } from '@node-rs/bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_TIMEOUT_MS, childEnv, createPgDatabase, foyer, foyerJson, newSecret, NODE, projectRoot, removeDir, startServerProcess, tempDir, type FoyerEnv, type ServerProcess } from '../../support/cli.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);
const root = tempDir();
let target: FoyerEnv;
let database: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
let server: ServerProcess | undefined;
const hash = bcryptHash('a remembered passphrase', 4);
const file = (name: string, text: string) => {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(async () => {
  database = onPostgres ? await createPgDatabase() : undefined;
  target = { dataDir: join(root, 'data'), databaseUrl: database?.url, secret: newSecret() };
});
afterAll(async () => {
  server?.kill();
  await database?.drop();
  removeDir(root);
});

/** Runs the command in a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function onTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [NODE, 'src/cli/foyer.ts', ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: projectRoot, env: { ...childEnv(target), COLUMNS: '120' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const lines = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('foyer users import and export', { timeout: 480_000 }, () => {
  it('shows a progress bar on a terminal and a summary with each rejected row\'s reason', async () => {
    const path = file('customers.jsonl', lines([
      { email: 'ann@example.com', password_hash: hash, email_verified: true },
      { email: 'bob@example.com', external_id: 'b-1' },
      { email: 'cy@example.com', identities: [{ connector: 'google', subject: 'g-1' }] },
      { email: 'nobody' },
    ]));
    const { code, output } = await onTerminal(['users', 'import', path]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/importing \[█+\] 100% \| 1 KB of 1 KB/);
    // The bar ends before the summary, which starts a line of its own.
    expect(output).toMatch(/\nimport imp_\w+ finished: 4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected/);
    expect(output).toContain('line 4: email: is not an email address');
  });

  it('refuses what it cannot read, in one line', async () => {
    for (const [args, message] of [
      [['users', 'import'], /^foyer: users import needs one FILE/],
      [['users', 'import', join(root, 'missing.jsonl')], /^foyer: cannot read .*missing\.jsonl: no such file/],
      [['users', 'import', join(root, 'customers.jsonl'), '--format', 'xml'], /^foyer: --format: "xml" is not one of jsonl, csv/],
      [['users', 'import', join(root, 'customers.jsonl'), '--what'], /^foyer: Unknown option '--what'/],
      [['users', 'export', '--format', 'csv'], /^foyer: --format: the bulk export writes jsonl/],
    ] as [string[], RegExp][]) {
      const result = await foyer(target, args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('with the server running: the import reaches it, the export streams back and imports again changing nothing', async () => {
    server = await startServerProcess(target);
    const csv = file('more.csv', 'email,email_verified,external_id,identities.github\r\ndee@example.com,true,d-1,gh-1\r\neve@example.com,false,,\r\n');
    const imported = await foyer(target, ['users', 'import', csv, '--json']);
    // No terminal, no bar: standard error stays empty.
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({ format: 'csv', created: 2, rejected: 0, rejections: [] });

    const out = join(root, 'export.jsonl');
    const exported = await foyer(target, ['users', 'export', '--format', 'jsonl', '--output', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe('');
    expect(exported.stderr).toBe('exported 5 customers\n');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.email).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cy@example.com', 'dee@example.com', 'eve@example.com']);
    expect(rows.find((r) => r.email === 'ann@example.com')).toMatchObject({ email_verified: true, password_hash: hash, status: 'active' });
    expect(rows.find((r) => r.email === 'dee@example.com')).toMatchObject({ external_id: 'd-1', identities: [{ connector: 'github', subject: 'gh-1' }] });
    // To standard output as well, line for line the same.
    const toStdout = await foyer(target, ['users', 'export', '--format', 'jsonl']);
    expect(toStdout.stdout).toBe(readFileSync(out, 'utf8'));

    expect(await foyerJson(target, ['users', 'import', out])).toMatchObject({ rows: 5, created: 0, updated: 0, unchanged: 5, rejected: 0 });
    // One customer's privacy export is still `users export EMAIL`.
    const privacy = await foyerJson<Record<string, unknown>>(target, ['users', 'export', 'ann@example.com']);
    expect(privacy).toHaveProperty('subject');
    expect(JSON.stringify(privacy)).not.toContain(hash);
  });
});
