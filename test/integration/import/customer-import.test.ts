// Importing customers with their passwords: one customer per hash format Foyer takes signs in with the
// original password through the real journey, and the stored hash is argon2id after; rows that cannot be
// imported are refused with their reason and leave nothing behind; a re-run changes nothing; two imports at
// once count every customer once. Through the admin API's import jobs and the `foyer users import` command.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createAdminApi, type AdminAnswer } from '../../support/admin-api.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { customersOfEveryFormat, firebaseConfig, jsonLines, type ImportedCustomer } from '../../support/import-fixtures.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let rp: RelyingParty;
let api: Awaited<ReturnType<typeof createAdminApi>>['call'];
let apiToken: string;
let customers: ImportedCustomer[];

const profile = { fields: [{ key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' }, { key: 'birthdate', type: 'date', label: { en: 'Birthday' }, purpose: 'marketing' }] };

beforeAll(async () => {
  server = await startTestServer({ profile, passwordImport: firebaseConfig } as never);
  rp = await createRelyingParty(server, { clientId: 'shop' });
  ({ call: api, token: apiToken } = await createAdminApi(server));
  customers = await customersOfEveryFormat();
});
afterAll(async () => server?.stop());

/** Posts a file to /admin/api/imports and polls its job until it is done. */
async function importThroughApi(file: string | Buffer, contentType = 'application/x-ndjson'): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/admin/api/imports`, { method: 'POST', body: typeof file === 'string' ? file : new Uint8Array(file), headers: { authorization: `Bearer ${apiToken}`, 'content-type': contentType } });
  const started: AdminAnswer = { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> };
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.headers.get('location')).toBe(`/admin/api/imports/${String(started.body!.id)}`);
  let job: AdminAnswer = started;
  for (let i = 0; i < 600 && job.body?.status === 'running'; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    job = await api(`/imports/${String(started.body!.id)}`);
  }
  expect(job.body?.status).toBe('finished');
  return job.body!;
}

async function signIn(email: string, password: string) {
  const browser = newBrowser();
  const auth = await rp.authorizationUrl();
  return throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), email, password));
}

const storedHash = async (email: string) => (await server.services.accounts.findAccountByEmail(email))?.passwordHash;

/** Everything an import may write, to compare before and after a run. */
async function snapshot() {
  const { db } = server.dbHandle;
  return {
    accounts: await db('accounts').orderBy('id').select('id', 'status', 'password_hash', 'password_changed_at', 'updated_at'),
    emails: await db('account_emails').orderBy('email_normalized'),
    profile: await db('profile_values').orderBy(['account_id', 'field']),
    identities: await db('federated_identities').orderBy(['connector', 'subject']),
    imports: await db('account_imports').orderBy('account_id'),
  };
}

describe('an import of every hash format, through the admin API', { timeout: 240_000 }, () => {
  it('creates each customer, who signs in with the original password; the hash is argon2id after', async () => {
    const job = await importThroughApi(jsonLines(customers.map((c) => c.row)));
    expect(job).toMatchObject({ format: 'jsonl', rows: customers.length, created: customers.length, rejected: 0, actor: 'client:ops' });
    const refused = await signIn('bcrypt-2b@example.com', 'not the old passphrase');
    expect(refused.html).toContain('Incorrect email or password');
    for (const customer of customers) {
      expect(await storedHash(customer.email), customer.email).not.toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
      const page = await signIn(customer.email, customer.password);
      expect(page.url.startsWith(CALLBACK), `${customer.email} signs in`).toBe(true);
      expect(await storedHash(customer.email), customer.email).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    }
    // The new hash is the same password's.
    for (const customer of customers.slice(0, 2)) expect((await signIn(customer.email, customer.password)).url.startsWith(CALLBACK)).toBe(true);
  });

  it('keeps the profile values (provenance import), the verified flag and the external id', async () => {
    const account = (await server.services.accounts.findAccountByEmail('bcrypt-2a@example.com'))!;
    expect(account.emailVerified).toBe(true);
    expect(await server.dbHandle.db('profile_values').where({ account_id: account.id }).select('field', 'value', 'source')).toEqual([{ field: 'given_name', value: 'Ada', source: 'import' }]);
    expect((await server.services.accounts.findAccountByEmail('bcrypt-2y@example.com'))!.emailVerified).toBe(false);
    const legacy = (await server.services.accounts.findAccountByEmail('bcrypt-2b@example.com'))!;
    expect(await server.dbHandle.db('account_imports').where({ account_id: legacy.id }).first()).toMatchObject({ external_id: 'legacy-2b' });
  });

  it('a re-run of the same file changes nothing: passwords changed in Foyer since (the rehash) stay', async () => {
    const before = await snapshot();
    const job = await importThroughApi(jsonLines(customers.map((c) => c.row)));
    expect(job).toMatchObject({ rows: customers.length, created: 0, updated: 0, unchanged: customers.length, rejected: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('lists the jobs and answers 404 for an unknown one, 415 for a file of another type', async () => {
    const list = await api('/imports');
    expect((list.body!.imports as { actor: string }[]).length).toBeGreaterThanOrEqual(2);
    expect((await api('/imports/imp_nope')).status).toBe(404);
    expect((await api('/imports/imp_nope/rejections')).status).toBe(404);
    expect((await api('/imports?limit=-1')).status).toBe(400);
    const wrong = await api('/imports', { method: 'POST', body: '<xml/>', contentType: 'application/xml' });
    expect(wrong.status).toBe(415);
    expect(String(wrong.body?.message)).toContain('text/csv');
    expect((await api('/imports', { method: 'POST', body: 'x', contentType: 'text/csv', token: null })).status).toBe(401);
    const openapi = await (await fetch(`${server.url}/admin/api/openapi.json`)).json() as { paths: Record<string, { get?: { parameters?: { name: string }[]; responses: Record<string, unknown> } }> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/imports', '/imports/{id}', '/imports/{id}/rejections']));
    const rejectionsPage = openapi.paths['/imports/{id}/rejections']!.get!;
    expect(rejectionsPage.parameters?.map((p) => p.name)).toEqual(['limit', 'cursor']);
    expect(JSON.stringify(rejectionsPage.responses['200'])).toContain('next_cursor');
  });
});

describe('CSV, through the foyer command', { timeout: 120_000 }, () => {
  it('takes dotted columns for nested members and JSON in object cells; the customers sign in', async () => {
    const pick = (name: string) => customers.find((c) => c.email.startsWith(`${name}@`))!;
    const keycloak = pick('keycloak-sha256').row.credentials;
    const auth0 = pick('auth0-scrypt').row.custom_password_hash as { hash: { value: string }; salt: { value: string } };
    const csv = [
      'email,email_verified,external_id,profile.given_name,profile.birthdate,credentials,custom_password_hash.algorithm,custom_password_hash.hash.value,custom_password_hash.salt.value,custom_password_hash.salt.encoding,custom_password_hash.keylen,identities.google',
      `csv-keycloak@example.com,true,csv-1,Kay,1990-04-01,"${JSON.stringify(keycloak).replaceAll('"', '""')}",,,,,,`,
      `csv-auth0@example.com,false,csv-2,,,,scrypt,${auth0.hash.value},${auth0.salt.value},utf8,32,google-sub-2`,
      'csv-bad@example.com,maybe,csv-3,,,,,,,,,',
    ].join('\r\n');
    const result = await runCommand(['users', 'import', 'customers.csv', '--json'], { services: server.services, importSource: { stream: Readable.from([Buffer.from(csv)]), size: csv.length } });
    expect(result.exitCode, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(job).toMatchObject({ format: 'csv', rows: 3, created: 2, rejected: 1, rejections: [{ line: 4, reason: expect.stringContaining('email_verified') }] });
    expect(String(job.actor)).toMatch(/^cli:/);
    for (const email of ['csv-keycloak@example.com', 'csv-auth0@example.com']) expect((await signIn(email, customers[0]!.password)).url.startsWith(CALLBACK), email).toBe(true);
    const kay = (await server.services.accounts.findAccountByEmail('csv-keycloak@example.com'))!;
    expect(kay.emailVerified).toBe(true);
    expect(await server.services.accounts.findProfileValues(kay.id)).toEqual({ given_name: 'Kay', birthdate: '1990-04-01' });
    const linked = await server.services.federatedIdentities.findIdentity('google', 'google-sub-2');
    expect(linked?.accountId).toBe((await server.services.accounts.findAccountByEmail('csv-auth0@example.com'))!.id);
  });
});

describe('rows that cannot be imported', () => {
  it('are refused one by one with the reason, and nothing of them is written', async () => {
    const taken = (await server.services.accounts.findAccountByEmail('csv-auth0@example.com'))!;
    const lines = [
      JSON.stringify({ email: 'good-1@example.com', password_hash: customers[1]!.row.password_hash }),
      JSON.stringify({ email: 'not an email' }),
      JSON.stringify({ email: 'member@example.com', favourite_colour: 'blue' }),
      JSON.stringify({ email: 'two-passwords@example.com', password_hash: customers[1]!.row.password_hash, custom_password_hash: customers[8]!.row.custom_password_hash }),
      JSON.stringify({ email: 'field@example.com', profile: { shoe_size: 44 } }),
      JSON.stringify({ email: 'date@example.com', profile: { birthdate: 'yesterday' } }),
      JSON.stringify({ email: 'bcrypt@example.com', password_hash: '$2b$10$tooshort' }),
      JSON.stringify({ email: 'costly@example.com', password_hash: `$pbkdf2-sha256$i=90000000,l=32$c2FsdHNhbHQ$${'A'.repeat(43)}` }),
      JSON.stringify({ email: 'md5@example.com', custom_password_hash: { algorithm: 'md5', hash: { value: '5f4dcc3b5aa765d61d8327deb882cf99', encoding: 'hex' } } }),
      JSON.stringify({ email: 'sha1@example.com', credentials: [{ type: 'password', secretData: '{"value":"AAAA","salt":"AAAA"}', credentialData: '{"hashIterations":1,"algorithm":"pbkdf2"}' }] }),
      JSON.stringify({ email: 'identity@example.com', profile: { given_name: 'Ida' }, identities: [{ connector: 'google', subject: 'google-sub-2' }] }),
      JSON.stringify({ email: 'nul@example.com', profile: { given_name: 'a\u0000b' } }),
      '{"email": "broken@example.com",',
      '[{"email": "array@example.com"}]',
      '',
      JSON.stringify({ email: 'csv-auth0@example.com', external_id: 'csv-1' }),
      JSON.stringify({ email: 'good-2@example.com', email_verified: 'true' }),
    ];
    const file = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])]);
    const before = await snapshot();
    const job = await importThroughApi(file);
    expect(job).toMatchObject({ created: 2, rejected: lines.length - 3 + 1 });
    const whole = await api(`/imports/${String(job.id)}/rejections?limit=200`);
    expect(whole.body!.next_cursor).toBeNull();
    const rejections = whole.body!.rejections as { line: number; reason: string }[];
    const reason = (line: number) => rejections.find((r) => r.line === line)?.reason ?? '(accepted)';
    expect(reason(2)).toBe('email: is not an email address');
    expect(reason(3)).toBe('unknown member favourite_colour');
    expect(reason(4)).toBe('give one of password_hash, custom_password_hash, not several');
    expect(reason(5)).toBe('profile.shoe_size: there is no such profile field');
    expect(reason(6)).toMatch(/^profile\.birthdate: /);
    expect(reason(7)).toMatch(/^password_hash: not a bcrypt string/);
    expect(reason(8)).toMatch(/^password_hash: PBKDF2 needs i, the iterations \(1 to 2000000\)/);
    expect(reason(9)).toBe('custom_password_hash.algorithm "md5" is not supported (bcrypt, argon2, pbkdf2 and scrypt are)');
    expect(reason(10)).toBe('credentials: Keycloak\'s "pbkdf2" is not supported (pbkdf2-sha256, pbkdf2-sha512 and argon2 are)');
    expect(reason(11)).toBe('identities: google google-sub-2 signs in to another account');
    expect(reason(12)).toBe('NUL characters are not allowed');
    expect(reason(13)).toBe('not valid JSON');
    expect(reason(14)).toBe('not a JSON object (the file must hold one object per line, not an array)');
    expect(reason(16)).toBe('external_id csv-1 belongs to one account and email csv-auth0@example.com to another');
    expect(reason(18)).toBe('the line is not valid UTF-8');
    expect(reason(1)).toBe('(accepted)');
    expect(reason(17)).toBe('(accepted)');

    // They page like every list: limit and cursor, each rejection once and in line order, next_cursor null on the last page.
    const walked: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api(`/imports/${String(job.id)}/rejections?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      walked.push(...(page.body!.rejections as unknown[]));
      cursor = page.body!.next_cursor as string | null;
      pages += 1;
    } while (cursor && pages < 20);
    expect(walked).toEqual(rejections);
    expect(pages).toBe(Math.ceil(rejections.length / 4));
    // A cursor belongs to its import; the earlier `after` is refused (never ignored), naming its replacement.
    const second = (await api(`/imports/${String(job.id)}/rejections?limit=1`)).body!.next_cursor as string;
    const other = ((await api('/imports')).body!.imports as { id: string }[]).find((j) => j.id !== job.id)!;
    for (const [path, detail] of [
      [`/imports/${other.id}/rejections?cursor=${encodeURIComponent(second)}`, /^cursor: /],
      [`/imports/${String(job.id)}/rejections?after=3`, /^after: replaced by cursor/],
      [`/imports/${String(job.id)}/rejections?limit=201`, /^limit: /],
      [`/imports/${String(job.id)}/rejections?cursor=made-up`, /^cursor: /],
    ] as const) {
      const refused = await api(path);
      expect(refused.status, path).toBe(400);
      expect(String(refused.body!.detail), path).toMatch(detail);
    }

    const after = await snapshot();
    // Only the two good rows were written: two accounts, their emails and import records; nothing else moved.
    expect(after.accounts.length).toBe(before.accounts.length + 2);
    expect(after.profile).toEqual(before.profile);
    expect(after.identities).toEqual(before.identities);
    expect(after.emails.map((e) => e.email_normalized).filter((e: string) => !before.emails.some((b) => b.email_normalized === e))).toEqual(['good-1@example.com', 'good-2@example.com']);
    expect(after.accounts.find((a) => a.id === taken.id)).toEqual(before.accounts.find((a) => a.id === taken.id));
  });

  it('a file that is not UTF-8 CSV stops the job with the reason; the rows before it are imported', async () => {
    const csv = Buffer.concat([Buffer.from('email\r\nutf8-ok@example.com\r\n'), Buffer.from([0xff, 0xfe, 0x0d, 0x0a])]);
    const result = await runCommand(['users', 'import', 'x.csv'], { services: server.services, importSource: { stream: Readable.from([csv]), size: csv.length } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^foyer: import imp_\w+ stopped after \d rows: the file is not valid UTF-8/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('two imports at once', { timeout: 120_000 }, () => {
  it('create each customer once; the second writes what the first left, row by row, and counts it unchanged', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ email: `together-${i}@example.com`, external_id: `together-${i}`, profile: { given_name: `T${i}` } }));
    const file = jsonLines(rows);
    const run = () => server.services.customerImport.runImport({ input: Readable.from([Buffer.from(file)]), format: 'jsonl', actor: 'test' });
    const jobs = await Promise.all([run(), run()]);
    for (const job of jobs) expect(job).toMatchObject({ status: 'finished', rowsRead: 200, rejected: 0 });
    expect(jobs.reduce((n, j) => n + j.created, 0)).toBe(200);
    expect(jobs.reduce((n, j) => n + j.created + j.unchanged + j.updated, 0)).toBe(400);
    const count = await server.dbHandle.db('account_emails').where('email_normalized', 'like', 'together-%').count<{ n: string }[]>({ n: '*' });
    expect(Number(count[0]!.n)).toBe(200);
    const values = await server.dbHandle.db('profile_values').where({ field: 'given_name' }).where('value', '@>', JSON.stringify('T7'));
    expect(values).toHaveLength(1);
  });
});

describe('lite accounts an import gives a way to sign in', { timeout: 120_000 }, () => {
  it('become full ones with the account.upgraded event the journey records, on the dashboard; imports racing upgrade each once', async () => {
    const { accounts } = server.services;
    const today = new Date().toISOString().slice(0, 10);
    const upgradesToday = async () => ((await api('/dashboard?days=1')).body as { upgrades: { day: string; count: number }[] }).upgrades.find((d) => d.day === today)?.count;
    const before = await upgradesToday();
    const emails = Array.from({ length: 6 }, (_, i) => `captured-${i}@example.com`);
    const lites = await Promise.all(emails.map((email) => accounts.insertAccount({ email, status: 'lite', passwordHash: null, emailVerified: true })));
    const file = jsonLines(emails.map((email) => ({ email, password_hash: customers[1]!.row.password_hash })));
    const run = () => server.services.customerImport.runImport({ input: Readable.from([Buffer.from(file)]), format: 'jsonl', actor: 'test' });
    // Three imports of the same file at once: each account is upgraded by exactly one of them.
    const jobs = await Promise.all([run(), run(), run()]);
    for (const job of jobs) expect(job).toMatchObject({ status: 'finished', rejected: 0 });
    for (const lite of lites) {
      expect((await accounts.findAccountById(lite.id))?.status).toBe('active');
      const upgraded = await server.dbHandle.db('events').where({ type: 'account.upgraded', account_id: lite.id }).select('data') as { data: Record<string, unknown> }[];
      expect(upgraded).toEqual([{ data: { via: 'import', job: expect.stringMatching(/^imp_/) } }]);
      expect(jobs.map((j) => j.id)).toContain(upgraded[0]!.data.job);
    }
    expect(await upgradesToday()).toBe((before ?? 0) + emails.length);
    // A full account an import touches again is no upgrade.
    await importThroughApi(file);
    expect(await upgradesToday()).toBe((before ?? 0) + emails.length);
    // The upgraded customer signs in with the imported password.
    const done = await signIn(emails[0]!, customers[1]!.password);
    expect(done.url.startsWith(CALLBACK), done.html.slice(0, 300)).toBe(true);
  });
});
