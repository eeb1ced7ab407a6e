// Signing keys in the admin API (/admin/api/keys: list, rotate; audited as signing_keys.rotated) and on the
// page (/admin/keys: use, algorithm and expiry; rotate behind a confirmation, CSRF-checked, operators only).
// Rotations sent at once leave exactly one active key per algorithm; tokens signed before a rotation verify after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { addPageAdmins, pageChangeRoutes, postWithToken, signInToAdmin } from '../../support/admin-pages.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let operatorId: string;
let api: Awaited<ReturnType<typeof createAdminApi>>;

const activeKeys = async () => (await server.services.signingKeys.listKeys()).filter((k) => k.status === 'active');
const jwksKids = async () => ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  ({ operatorId } = await addPageAdmins(server));
  api = await createAdminApi(server);
});
afterAll(async () => server?.stop());

describe('signing keys', () => {
  it('lists the keys through the API, metadata only, and rotates them, audited with the client as actor', async () => {
    const listed = await api.call('/keys');
    expect(listed.status).toBe(200);
    const keys = listed.body!.keys as { kid: string; alg: string; use: string; status: string }[];
    expect(keys.filter((k) => k.status === 'active').map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(keys.every((k) => k.use === 'sig')).toBe(true);
    expect(JSON.stringify(listed.body)).not.toMatch(/"d"|private/);
    const rotated = await api.call('/keys/rotate', { method: 'POST' });
    expect(rotated.status).toBe(200);
    const { created, retired } = rotated.body as { created: string[]; retired: string[] };
    expect(retired.sort()).toEqual(keys.filter((k) => k.status === 'active').map((k) => k.kid).sort());
    expect((await activeKeys()).map((k) => k.kid).sort()).toEqual([...created].sort());
    // The retired keys stay published until their tokens have expired.
    expect(await jwksKids()).toEqual(expect.arrayContaining([...created, ...retired]));
    const event = await server.dbHandle.db('events').where({ type: 'signing_keys.rotated' }).orderBy('created_at', 'desc').first() as { actor: string };
    expect(event.actor).toBe('client:ops');
  });

  it('audits `foyer keys rotate` the same way, with the command as actor', async () => {
    const out = await runCommand(['keys', 'rotate', '--json'], { services: server.services, actor: 'cli:tester' });
    expect(out.exitCode).toBe(0);
    const event = await server.dbHandle.db('events').where({ type: 'signing_keys.rotated' }).orderBy('created_at', 'desc').first() as { actor: string; data: { created: string[] } };
    expect(event).toMatchObject({ actor: 'cli:tester', data: { created: (JSON.parse(out.stdout) as { created: string[] }).created } });
  });

  it('leaves exactly one active key per algorithm when rotations are sent at once', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.call('/keys/rotate', { method: 'POST' })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect((await activeKeys()).map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
  });

  it('shows the keys on the page and rotates them after a confirmation; a viewer and a post without CSRF change nothing', async () => {
    const viewer = await signInToAdmin(server, 'viewer@example.com');
    const viewed = await viewer.browser.get(`${server.url}/admin/keys`);
    expect(viewed.status).toBe(200);
    const before = (await activeKeys()).map((k) => k.kid);
    for (const kid of before) expect(viewed.html).toContain(`data-key="${kid}" data-status="active"`);
    const refused = await postWithToken(viewer.browser, server, viewed, '/admin/keys/rotate', { confirm: 'yes' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This needs the operator role; your role is viewer.');

    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const page = await browser.get(`${server.url}/admin/keys`);
    expect((await browser.submit(page, '/admin/keys/rotate', { confirm: 'yes' }, { omitCsrf: true })).status).toBe(403);
    const asked = await browser.submit(page, '/admin/keys/rotate', {});
    expect(asked.html).toContain('Rotate the signing keys?');
    expect((await activeKeys()).map((k) => k.kid)).toEqual(before);
    const done = await browser.submit(asked, '/admin/keys/rotate', {});
    expect(new URL(done.url).pathname).toBe('/admin/keys');
    expect(done.html).toContain('Rotated: new keys');
    const after = (await activeKeys()).map((k) => k.kid);
    expect(after.some((kid) => before.includes(kid))).toBe(false);
    for (const kid of before) expect(done.html).toContain(`data-key="${kid}" data-status="retiring"`);
    expect(await pageChangeRoutes(server, operatorId)).toEqual(['/admin/keys/rotate']);
    const event = await server.dbHandle.db('events').where({ type: 'signing_keys.rotated' }).orderBy('created_at', 'desc').first() as { actor: string };
    expect(event.actor).toBe(`admin:${operatorId}`);
  });
});
