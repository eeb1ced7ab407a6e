// Owns the local control channel: while the server holds the embedded database, `foyer` commands are
// handed to it over a Unix socket (mode 0600) in the data folder, with a token only this user can read.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { z } from 'zod';
import { constantTimeEqual } from '../security/tokens.ts';
import { controlTokenPath, socketPath } from '../db/data-dir-lock.ts';
import type { CommandResult } from './commands.ts';

const requestSchema = z.object({ argv: z.array(z.string().max(4096)).max(64), stdin: z.string().max(65536).optional() });

/** Writes `content` to a file only this user can read: a file left from before is made 0600 before the secret is in it. */
function writePrivateFile(path: string, content: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

export async function startControlSocket(dataDir: string, run: (argv: string[], stdin?: string) => Promise<CommandResult>): Promise<Server> {
  const token = randomBytes(32).toString('base64url');
  writePrivateFile(controlTokenPath(dataDir), token);
  rmSync(socketPath(dataDir), { force: true });
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: CommandResult) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!constantTimeEqual(String(req.headers['x-foyer-control-token'] ?? ''), token)) return answer(403, { stdout: '', stderr: 'foyer: not allowed\n', exitCode: 1 });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let parsed;
    try {
      parsed = requestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      return answer(400, { stdout: '', stderr: 'foyer: malformed control request\n', exitCode: 2 });
    }
    answer(200, await run(parsed.argv, parsed.stdin));
  });
  // The socket is created 0600 (umask for the bind, which listen makes at once for a path), never readable by others for a moment.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath(dataDir), resolve);
    } finally {
      process.umask(previous);
    }
  });
  chmodSync(socketPath(dataDir), 0o600);
  server.on('close', () => rmSync(socketPath(dataDir), { force: true }));
  return server;
}

export function sendControlCommand(dataDir: string, argv: string[], stdin?: string): Promise<CommandResult> {
  const token = readFileSync(controlTokenPath(dataDir), 'utf8').trim();
  const body = JSON.stringify({ argv, stdin });
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socketPath(dataDir), path: '/command', method: 'POST', headers: { 'content-type': 'application/json', 'x-foyer-control-token': token } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CommandResult);
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
