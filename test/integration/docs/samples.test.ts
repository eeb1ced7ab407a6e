// Every code sample in README.md, docs/ and examples/README.md runs here, so the docs cannot rot silently.
// A fence says what its sample is: `sh tested` (run line by line against one started Foyer: `npx foyer …` through
// the command's own entry point in-process, `curl` as HTTP requests, `FOYER_CONFIG=… npm start` as a config load),
// `json tested-config` (a config file: loaded as Foyer loads it), `json tested-connector` (one entry of
// `connectors`), `json payload` (a message body: parsed), `sh example` (runs a file under examples/, which
// test/e2e/examples.test.ts runs), `sh setup` (the README's two commands: the scripts they name exist).
// A fence with any other label, or none, fails: a new sample must say how it is tested.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Sample {
  file: string;
  line: number;
  kind: string;
  code: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith('.md') ? [path] : [];
  });
}

function samplesOf(path: string): Sample[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const found: Sample[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) body.push(lines[j++]!.slice(indent));
    found.push({ file: relative(root, path), line: i + 1, kind: open[2]!.trim(), code: body.join('\n') });
    i = j;
  }
  return found;
}

const samples = [join(root, 'README.md'), join(root, 'examples/README.md'), ...markdownFiles(join(root, 'docs'))].flatMap(samplesOf);
const ofKind = (kind: string) => samples.filter((s) => s.kind === kind);
const where = (s: Sample) => `${s.file}:${s.line}`;

/** Splits a command line into words as a POSIX shell would (quotes, $VARS substituted; no globbing). */
function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let current: string | undefined;
  const sub = (text: string) => text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`the sample uses $${name}, which no earlier line set`);
    return vars[name]!;
  });
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\s+)|([^\s'"]+)/g;
  for (const m of line.matchAll(re)) {
    if (m[3] !== undefined) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else current = (current ?? '') + (m[1] ?? sub(m[2] ?? m[4]!));
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** Logical lines: continuations joined, comments (whole-line or after the command) dropped. */
function commandLines(code: string): string[] {
  return code.replace(/\\\n\s*/g, ' ').split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));
}

let server: TestServer;
const profileExample = JSON.parse(readFileSync(join(root, 'config/example.profile.json'), 'utf8')) as { profile: object; capture: object };

async function curl(argv: string[]): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  const data: string[] = [];
  let url: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '-s') continue;
    else if (arg === '-u') headers.authorization = `Basic ${Buffer.from(argv[++i]!).toString('base64')}`;
    else if (arg === '-H') {
      const [name, ...value] = argv[++i]!.split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (arg === '-d') data.push(argv[++i]!);
    else if (arg.startsWith('-')) throw new Error(`curl ${arg} is not understood by the docs test; use -s, -u, -H or -d`);
    else url = arg;
  }
  if (!url) throw new Error('curl without a URL');
  if (data.length && !headers['content-type']) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method: data.length ? 'POST' : 'GET', headers, ...(data.length ? { body: data.join('&') } : {}) });
  return { status: res.status, text: await res.text() };
}

/** Runs one `sh tested` sample; what it registers is removed after, so samples do not depend on one another. */
async function runShell(sample: Sample): Promise<{ foyer: number; curl: number }> {
  const vars: Record<string, string> = { ISSUER: server.url };
  const clients: string[] = [];
  const ran = { foyer: 0, curl: 0 };
  try {
    for (const raw of commandLines(sample.code.replaceAll('http://localhost:3000', server.url))) {
      const assignment = /^([A-Z_][A-Z0-9_]*)=\$\((.*)\)$/.exec(raw);
      const line = assignment ? assignment[2]! : raw;
      if (/^(?:[A-Z_]+=\S+\s+)*npm start$/.test(line)) {
        const env = Object.fromEntries(words(line, vars).slice(0, -2).map((w) => w.split('=') as [string, string]));
        if (env.FOYER_CONFIG) env.FOYER_CONFIG = join(root, env.FOYER_CONFIG);
        expect(() => loadConfig({ ...env, FOYER_DATA_DIR: mkdtempSync(join(tmpdir(), 'foyer-docs-')) }), `${where(sample)}: ${line}`).not.toThrow();
        continue;
      }
      const [pipeline, node] = line.split(/\s\|\s(?=node -pe)/);
      const argv = words(pipeline!, vars);
      if (argv[0] === 'npx' && argv[1] === 'foyer') {
        ran.foyer += 1;
        const result = await runCommand([...argv.slice(2), '--json'], { services: server.services });
        expect(result.stderr, `${where(sample)}: ${line}`).toBe('');
        expect(result.exitCode).toBe(0);
        const out = JSON.parse(result.stdout) as Record<string, unknown>;
        if (argv[2] === 'clients' && argv[3] === 'add') clients.push(String(out.client_id));
        if (typeof out.client_secret === 'string') vars.SECRET = out.client_secret;
        if (typeof out.secret === 'string') vars.WEBHOOK_SECRET = out.secret;
      } else if (argv[0] === 'curl') {
        ran.curl += 1;
        const answer = await curl(argv.slice(1));
        expect(answer.status, `${where(sample)}: ${line} answered ${answer.text}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${where(sample)}: ${line} answered ${answer.text}`).toBeLessThan(300);
        let value = answer.text;
        if (node) {
          const field = /\)\.(\w+)'?\)?$/.exec(node.trim())?.[1];
          if (!field) throw new Error(`${where(sample)}: only "| node -pe '…).field'" pipes are understood`);
          value = String((JSON.parse(answer.text) as Record<string, unknown>)[field]);
        }
        if (assignment) vars[assignment[1]!] = value;
      } else {
        throw new Error(`${where(sample)}: the docs test cannot run "${line}"; use npx foyer, curl or npm start, or move the sample to examples/`);
      }
    }
    return ran;
  } finally {
    for (const id of clients) await runCommand(['clients', 'remove', id], { services: server.services });
  }
}

/** Loads `config` the way `FOYER_CONFIG=file npm start` would, with every {"env": …} it names set. */
function loadAsConfigFile(config: unknown): void {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-docs-'));
  const file = join(dir, 'foyer.json');
  writeFileSync(file, JSON.stringify(config));
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const env: Record<string, string> = { FOYER_CONFIG: file, FOYER_DATA_DIR: dir };
  for (const m of JSON.stringify(config).matchAll(/\{"env":"([A-Z0-9_]+)"\}/g)) env[m[1]!] = /KEY/.test(m[1]!) ? pem : 's'.repeat(40);
  loadConfig(env);
}

beforeAll(async () => {
  // One server for every shell sample, with the profile example's fields (docs/operators/profile.md starts it so).
  server = await startTestServer({ profile: profileExample.profile, capture: profileExample.capture } as Parameters<typeof startTestServer>[0]);
});
afterAll(async () => server?.stop());

describe('code samples in the docs', () => {
  it('are all labelled with how they are tested', () => {
    const known = new Set(['sh tested', 'sh example', 'sh setup', 'json tested-config', 'json tested-connector', 'json payload']);
    expect(samples.filter((s) => !known.has(s.kind)).map((s) => `${where(s)}: \`\`\`${s.kind}`)).toEqual([]);
    expect(ofKind('sh tested').length).toBeGreaterThan(3);
  });

  it('sh tested: each runs against a started Foyer', async () => {
    const total = { foyer: 0, curl: 0 };
    for (const sample of ofKind('sh tested')) {
      const ran = await runShell(sample);
      total.foyer += ran.foyer;
      total.curl += ran.curl;
    }
    // The samples as written today: a dropped line shows up here as much as a failing one would.
    expect(total.foyer).toBeGreaterThanOrEqual(9);
    expect(total.curl).toBeGreaterThanOrEqual(4);
  });

  it('json tested-config and tested-connector: each loads as configuration', () => {
    for (const sample of ofKind('json tested-config')) expect(() => loadAsConfigFile(JSON.parse(sample.code)), where(sample)).not.toThrow();
    for (const sample of ofKind('json tested-connector')) expect(() => loadAsConfigFile({ connectors: [JSON.parse(sample.code)] }), where(sample)).not.toThrow();
  });

  it('json payload: each parses', () => {
    for (const sample of ofKind('json payload')) expect(() => JSON.parse(sample.code.replaceAll('…', '')), where(sample)).not.toThrow();
  });

  it('sh example: each runs a file of examples/ that test/e2e/examples.test.ts runs', () => {
    const examplesTest = readFileSync(join(root, 'test/e2e/examples.test.ts'), 'utf8');
    for (const sample of ofKind('sh example')) {
      const file = /node examples\/([\w-]+\.ts)/.exec(sample.code)?.[1];
      expect(file && existsSync(join(root, 'examples', file)), where(sample)).toBeTruthy();
      expect(examplesTest, where(sample)).toContain(`'${file}'`);
    }
  });

  it('sh setup: the README\'s two commands name the scripts that start Foyer and run the tests', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const [setup] = ofKind('sh setup');
    expect(commandLines(setup!.code)).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect(pkg.scripts.start).toMatch(/^node (--[a-z-]+(=\d+)? )*src\/main\.ts$/);
    expect(pkg.scripts.test).toBe('vitest run');
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain('npm test');
  });
});
