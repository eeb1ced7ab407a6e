// Brand template overrides from a folder (config brandTemplatesDir: <brand-id>/<partial>.hbs), checked at start:
// a good file is used on the brand's pages; a broken one, one for no such partial, one printing unescaped and a
// folder not named by a brand id are each refused with a log line naming the file, and the server starts with
// the built-in template. An override saved through the admin API wins over the folder's; removing it brings the
// folder's back.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpTwoBrands } from '../../support/brands.ts';
import { newBrowser } from '../../support/journey.ts';
import type { RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let apps: Awaited<ReturnType<typeof setUpTwoBrands>>['apps'];
let call: Awaited<ReturnType<typeof setUpTwoBrands>>['call'];
let folder: string;
const logLines: { level: number; msg: string; file?: string }[] = [];

function templatesFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-brand-templates-'));
  const files: Record<string, string> = {
    'acme/brand-footer.hbs': '<footer class="brand-links">Acme folder footer</footer>',
    'acme/brand-header.hbs': '<span class="brand-name">{{#if brandName}}Broken header',
    'acme/no-such-partial.hbs': '<p>Nothing uses me</p>',
    'acme/notes.txt': 'not a template',
    'beta/brand-footer.hbs': '<footer class="brand-links">Beta folder footer</footer>',
    'beta/brand-header.hbs': '<span class="brand-name">{{{brandName}}}</span>',
    'Not_A_Brand/brand-footer.hbs': '<footer>never</footer>',
  };
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

beforeAll(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as never) });
  folder = templatesFolder();
  server = await startTestServer({ brandTemplatesDir: folder } as never, { log });
  ({ apps, call } = await setUpTwoBrands(server));
});
afterAll(async () => server?.stop());

const signInPage = async (app: RelyingParty) => (await newBrowser().get((await app.authorizationUrl()).url)).html;
const refusals = () => logLines.filter((l) => l.level >= 50 && l.msg.startsWith('brand template override refused'));

describe('brand template overrides from a folder', () => {
  it('refuses each bad file with a log line naming it; the server starts and uses the built-in template', () => {
    const refused = Object.fromEntries(refusals().map((l) => [relative(folder, l.file!).split(sep).join('/'), l.msg]));
    expect(Object.keys(refused).sort()).toEqual(['acme/brand-header.hbs', 'acme/no-such-partial.hbs', 'acme/notes.txt', 'beta/brand-header.hbs', 'Not_A_Brand'].sort());
    expect(refused['acme/brand-header.hbs']).toContain('does not compile');
    expect(refused['acme/no-such-partial.hbs']).toContain('no template named no-such-partial');
    expect(refused['beta/brand-header.hbs']).toContain('unescaped');
    for (const message of Object.values(refused)) expect(message).toContain('the built-in template is used');
  });

  it('uses a good file on its brand\'s pages, with the built-in template where the file was refused', async () => {
    const acme = await signInPage(apps['acme-shop']);
    expect(acme).toContain('Acme folder footer');
    expect(acme).toContain('name="email"');
    expect(acme).toMatch(/<span class="brand-name">Acme<\/span>/);
    expect(acme).not.toContain('Broken header');
    const beta = await signInPage(apps['beta-shop']);
    expect(beta).toContain('Beta folder footer');
    expect(beta).not.toContain('Acme folder footer');
  });

  it('lets an override saved through the admin API win over the folder\'s', async () => {
    expect((await call('/brands/beta/templates', { method: 'POST', body: { name: 'brand-footer', source: '<footer class="brand-links">Beta API footer</footer>' } })).status).toBeLessThan(300);
    const overridden = await signInPage(apps['beta-shop']);
    expect(overridden).toContain('Beta API footer');
    expect(overridden).not.toContain('Beta folder footer');
    expect((await call('/brands/beta/templates/brand-footer', { method: 'DELETE' })).status).toBe(204);
    expect(await signInPage(apps['beta-shop'])).toContain('Beta folder footer');
  });
});
