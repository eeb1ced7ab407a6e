// The privacy commands of `foyer`, through the same runCommand the CLI process and the control socket use:
// export prints the document, erase asks for erasure (or purges with --now), cancel-erasure and restrict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { sweepErasures } from '../../../src/server.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { tracesOf } from './customer.ts';

let server: TestServer;
const run = (...argv: string[]) => runCommand(argv, { services: server.services });
const json = async <T>(...argv: string[]) => {
  const result = await run(...argv, '--json');
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
};

beforeAll(async () => {
  server = await startTestServer();
  for (const email of ['cli.export@example.com', 'cli.erase@example.com']) {
    expect((await run('users', 'add', '--email', email, '--password', 'a long and unusual passphrase', '--verified')).exitCode).toBe(0);
  }
});
afterAll(async () => server?.stop());

describe('foyer users export / erase / cancel-erasure / restrict', () => {
  it('export prints the document without the password hash; unknown emails fail with one line', async () => {
    const document = await json<{ subject: string; identifiers: { email: string }[]; credentials: { password: { set: boolean } } }>('users', 'export', 'cli.export@example.com');
    expect(document.identifiers[0]!.email).toBe('cli.export@example.com');
    expect(document.credentials.password.set).toBe(true);
    expect(JSON.stringify(document)).not.toMatch(/\$argon2/);
    const missing = await run('users', 'export', 'nobody@example.com');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('foyer: no user with email nobody@example.com\n');
    expect((await run('users', 'export')).stderr).toMatch(/needs an email/);
  });

  it('erase asks for erasure, cancel-erasure undoes it, erase --now purges at once', async () => {
    const pending = await json<{ erasure: string; erase_after: string }>('users', 'erase', 'cli.erase@example.com');
    expect(pending.erasure).toBe('pending');
    expect(new Date(pending.erase_after).getTime()).toBeGreaterThan(Date.now() + 13 * 24 * 3600 * 1000);
    expect((await json<{ status: string }>('users', 'show', 'cli.erase@example.com')).status).toBe('disabled');
    expect((await json<{ erasure: string }>('users', 'cancel-erasure', 'cli.erase@example.com')).erasure).toBe('none');
    expect((await json<{ status: string }>('users', 'show', 'cli.erase@example.com')).status).toBe('active');
    const erased = await json<{ id: string; erasure: string }>('users', 'erase', 'cli.erase@example.com', '--now');
    expect(erased.erasure).toBe('erased');
    expect((await run('users', 'show', 'cli.erase@example.com')).exitCode).toBe(1);
    expect(await tracesOf(server.dbHandle.db, ['cli.erase@example.com'])).toEqual([]);
    expect((await json<{ id: string }[]>('users', 'list')).map((u) => u.id)).not.toContain(erased.id);
  });

  it("the server's sweeper purges a request whose grace period is over", async () => {
    expect((await run('users', 'add', '--email', 'cli.sweep@example.com')).exitCode).toBe(0);
    const pending = await json<{ id: string }>('users', 'erase', 'cli.sweep@example.com');
    expect(await sweepErasures(server.services, server.services.log)).toEqual([]);
    await server.services.db('accounts').where({ id: pending.id }).update({ erase_after: new Date(Date.now() - 1000) });
    expect(await sweepErasures(server.services, server.services.log)).toEqual([pending.id]);
    expect(await server.services.privacy.erasure.erasureStatus(pending.id)).toMatchObject({ state: 'erased' });
  });

  it('restrict and restrict --lift set the flag', async () => {
    expect(await json('users', 'restrict', 'cli.export@example.com')).toMatchObject({ processing_restricted: true });
    expect(await json('users', 'restrict', 'cli.export@example.com', '--lift')).toMatchObject({ processing_restricted: false });
  });

  it('are listed in --help', async () => {
    const help = await run('--help');
    for (const command of ['users export EMAIL', 'users erase EMAIL [--now]', 'users cancel-erasure EMAIL', 'users restrict EMAIL [--lift]']) expect(help.stdout).toContain(command);
  });
});
