// The embedded database's first start: the data folder is a copy of the prepared initial database (made once,
// outside the server), migrated as every start is; an existing folder opens as it is; a missing template is
// made on the spot; a damaged template or a half-made data folder is named plainly. PGlite only.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/create-db.ts';
import { checkTemplate, copyTemplate } from '../../../src/db/embedded-template.ts';
import { migrateLatest } from '../../../src/db/migrate.ts';
import { prepareEmbeddedDatabase } from '../../../src/db/prepare-embedded.ts';

const MIGRATIONS = readdirSync(new URL('../../../migrations', import.meta.url)).filter((f) => f.endsWith('.ts')).length;

describe.skipIf(Boolean(process.env.DATABASE_URL))('embedded first start', () => {
  let root: string;
  let templateDir: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'foyer-first-start-'));
    templateDir = join(root, 'cache', 'pglite-test');
    // No template yet: the first data folder's preparation makes it (in a child process), and says so.
    await prepareEmbeddedDatabase(join(root, 'a', 'pgdata'), { templateDir, warn: (m) => warnings.push(m) });
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('makes a missing template once, saying why, and keeps it for the next first start', () => {
    expect(warnings).toEqual([expect.stringContaining(`no prepared initial database in ${templateDir}`)]);
    expect(checkTemplate(templateDir)).toEqual({ ok: true, pgdata: join(templateDir, 'pgdata') });
  });

  it('starts a fresh data folder from the template and migrates it; the same folder opens again with its data', async () => {
    const pgdata = join(root, 'b', 'pgdata');
    const more: string[] = [];
    await prepareEmbeddedDatabase(pgdata, { templateDir, warn: (m) => more.push(m) });
    expect(more).toEqual([]);
    let handle = createDb({ pgliteDir: pgdata });
    try {
      expect(await migrateLatest(handle.db)).toHaveLength(MIGRATIONS);
      await handle.db.raw('create table first_start_probe (v text)');
      await handle.db.raw("insert into first_start_probe values ('kept')");
    } finally {
      await handle.close();
    }
    // An existing folder: preparing it changes nothing, and it opens with what was written.
    await prepareEmbeddedDatabase(pgdata, { templateDir });
    handle = createDb({ pgliteDir: pgdata });
    try {
      expect(await migrateLatest(handle.db)).toEqual([]);
      expect(await handle.db('first_start_probe')).toEqual([{ v: 'kept' }]);
    } finally {
      await handle.close();
    }
    // The template itself is untouched by the copy's use.
    expect(checkTemplate(templateDir).ok).toBe(true);
  }, 120_000);

  it('names a damaged or half-made template instead of copying it', () => {
    const damaged = join(root, 'damaged');
    mkdirSync(damaged);
    copyTemplate(join(templateDir, 'pgdata'), join(damaged, 'pgdata'));
    expect(checkTemplate(damaged)).toEqual({ ok: false, reason: `the prepared initial database in ${damaged} is incomplete (no ready.json)` });
    writeFileSync(join(damaged, 'ready.json'), JSON.stringify({ pglite: 'x', files: 1, bytes: 1 }));
    expect(checkTemplate(damaged)).toMatchObject({ ok: false, reason: expect.stringContaining('is damaged') });
    unlinkSync(join(damaged, 'pgdata', 'PG_VERSION'));
    expect(checkTemplate(damaged)).toMatchObject({ ok: false, reason: expect.stringContaining('has no PG_VERSION') });
    expect(checkTemplate(join(root, 'absent'))).toMatchObject({ ok: false, reason: expect.stringContaining('no prepared initial database') });
  });

  it('refuses a data folder that holds files but no database, with what to do', async () => {
    const pgdata = join(root, 'partial', 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    appendFileSync(join(pgdata, 'postgresql.conf'), '# left by an interrupted first start\n');
    await expect(prepareEmbeddedDatabase(pgdata, { templateDir })).rejects.toThrow(/holds files but no database \(no PG_VERSION\).*Move that folder away/);
  });

  it('fills an empty data folder (made ahead by an operator) from the template', async () => {
    const pgdata = join(root, 'empty', 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    await prepareEmbeddedDatabase(pgdata, { templateDir });
    expect(readdirSync(pgdata)).toContain('PG_VERSION');
    expect(readdirSync(join(root, 'empty'))).toEqual(['pgdata']);
  });
});
