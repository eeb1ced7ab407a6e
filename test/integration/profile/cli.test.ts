// `foyer clients add` with the profile flags (in process, through the same runCommand the CLI and the
// control socket use): required and optional fields, the per-visit limit, the capture scope; bad values refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const run = (...argv: string[]) => runCommand(argv, { services: server.services });

describe('foyer clients add, profile flags', () => {
  it('records required and optional fields and the per-visit limit', async () => {
    const result = await run('clients', 'add', '--client-id', 'bank', '--redirect-uri', 'https://bank.example/cb', '--json',
      '--profile-required', 'birthdate', '--profile-required', 'phone_number', '--profile-optional', 'nickname, gender', '--profile-per-visit', '1');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ profile_required: ['birthdate', 'phone_number'], profile_optional: ['nickname', 'gender'], profile_per_visit: 1 });
    expect(await server.host.current().Client.find('bank')).toBeDefined();
  });

  it('allows the capture API through the capture scope, and keeps earlier flags working', async () => {
    const result = await run('clients', 'add', '--client-id', 'crm', '--grant-type', 'client_credentials', '--scope', 'capture', '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ scope: 'openid capture', profile_required: [], profile_per_visit: null, mfa: 'optional' });
  });

  it('refuses bad keys and limits with a one-line message', async () => {
    for (const [flag, value] of [['--profile-required', 'Bad-Key'], ['--profile-per-visit', '21'], ['--profile-per-visit', 'two']] as const) {
      const result = await run('clients', 'add', '--client-id', 'x', '--redirect-uri', 'https://x.example/cb', flag, value);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^foyer: --profile-(required|per-visit)/);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
