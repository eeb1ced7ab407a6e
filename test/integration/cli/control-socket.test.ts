// The control channel of a server holding the embedded database: its socket and its token file are only
// this user's (0600) from the moment they exist, also when a token file from an earlier run was left with
// a looser mode; a command with the token is answered, one without it refused.
import { request } from 'node:http';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendControlCommand, startControlSocket } from '../../../src/cli/control-socket.ts';
import { controlTokenPath, socketPath } from '../../../src/db/data-dir-lock.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'foyer-control-'));
let server: Awaited<ReturnType<typeof startControlSocket>>;

beforeAll(async () => {
  // Left by an earlier run, readable by everyone.
  writeFileSync(controlTokenPath(dataDir), 'an old token', { mode: 0o644 });
  chmodSync(controlTokenPath(dataDir), 0o644);
  server = await startControlSocket(dataDir, async (argv) => ({ stdout: `ran ${argv.join(' ')}\n`, stderr: '', exitCode: 0 }));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the control channel', () => {
  it('keeps its socket and its token file private to this user, a leftover token file included', () => {
    expect(statSync(socketPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(statSync(controlTokenPath(dataDir)).mode & 0o777).toBe(0o600);
  });

  it('answers a command with the token, and refuses one without it', async () => {
    expect(await sendControlCommand(dataDir, ['users', 'list'])).toEqual({ stdout: 'ran users list\n', stderr: '', exitCode: 0 });
    const refused = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: socketPath(dataDir), path: '/command', method: 'POST' }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end('{"argv":["users","list"]}');
    });
    expect(refused).toBe(403);
  });
});
