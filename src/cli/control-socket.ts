// Owns the local control channel: while the server holds the embedded database, `foyer` commands are
// handed to it over a Unix socket (mode 0600) in the data folder, with a token only this user can read.
// A command is one JSON request and answer; `users import` streams its file in as the request body (the
// server imports as it reads), and `users export` streams its lines back, its result in a trailer.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { constantTimeEqual } from '../security/tokens.ts';
import { controlTokenPath, socketPath } from '../db/data-dir-lock.ts';
import type { CommandResult } from './commands.ts';
import type { ImportSource } from './customer-commands.ts';

const argvSchema = z.array(z.string().max(4096)).max(64);
const requestSchema = z.object({ argv: argvSchema, stdin: z.string().max(65536).optional() });
const RESULT_TRAILER = 'x-foyer-result';

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

export interface ControlExtras {
  stdin?: string | undefined;
  importSource?: ImportSource | undefined;
  exportSink?: Writable | undefined;
}

const encodeArgv = (argv: string[]) => Buffer.from(JSON.stringify(argv)).toString('base64url');
function decodeArgv(req: IncomingMessage): string[] | undefined {
  try {
    return argvSchema.parse(JSON.parse(Buffer.from(String(req.headers['x-foyer-argv'] ?? ''), 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
}

export async function startControlSocket(dataDir: string, run: (argv: string[], extras: ControlExtras) => Promise<CommandResult>): Promise<Server> {
  const token = randomBytes(32).toString('base64url');
  writePrivateFile(controlTokenPath(dataDir), token);
  rmSync(socketPath(dataDir), { force: true });
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: CommandResult) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!constantTimeEqual(String(req.headers['x-foyer-control-token'] ?? ''), token)) return answer(403, { stdout: '', stderr: 'foyer: not allowed\n', exitCode: 1 });
    const malformed = () => answer(400, { stdout: '', stderr: 'foyer: malformed control request\n', exitCode: 2 });
    if (req.url === '/import' || req.url === '/export') {
      const argv = decodeArgv(req);
      if (!argv) return malformed();
      if (req.url === '/import') {
        const size = Number(req.headers['x-foyer-size']);
        return answer(200, await run(argv, { importSource: { stream: req, size: Number.isSafeInteger(size) && size >= 0 ? size : null } }));
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson', trailer: RESULT_TRAILER });
      const result = await run(argv, { exportSink: res });
      res.addTrailers({ [RESULT_TRAILER]: encodeURIComponent(JSON.stringify(result)) });
      return res.end();
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let parsed;
    try {
      parsed = requestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      return malformed();
    }
    answer(200, await run(parsed.argv, { stdin: parsed.stdin }));
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

function controlRequest(dataDir: string, path: string, headers: Record<string, string | number>) {
  const token = readFileSync(controlTokenPath(dataDir), 'utf8').trim();
  return request({ socketPath: socketPath(dataDir), path, method: 'POST', headers: { ...headers, 'x-foyer-control-token': token } });
}

function readResult(res: IncomingMessage): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CommandResult);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

export function sendControlCommand(dataDir: string, argv: string[], stdin?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const req = controlRequest(dataDir, '/command', { 'content-type': 'application/json' });
    req.on('response', (res) => readResult(res).then(resolve, reject));
    req.on('error', reject);
    req.end(JSON.stringify({ argv, stdin }));
  });
}

/** Streams the import file to the server as the request body; it answers with the command's result when done. */
export function sendControlImport(dataDir: string, argv: string[], body: Readable, size: number | null): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const req = controlRequest(dataDir, '/import', { 'content-type': 'application/octet-stream', 'x-foyer-argv': encodeArgv(argv), ...(size === null ? {} : { 'x-foyer-size': size }) });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      body.unpipe(req);
      body.destroy();
      readResult(res).then(resolve, reject);
    });
    // A server that answered before reading the whole file (a usage error) closes the socket under the body.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    body.on('error', (error) => {
      req.destroy();
      reject(error);
    });
    body.pipe(req);
  });
}

/** Streams the export's lines from the server into `sink`; the command's result comes in a trailer. */
export function sendControlExport(dataDir: string, argv: string[], sink: Writable): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const req = controlRequest(dataDir, '/export', { 'x-foyer-argv': encodeArgv(argv) });
    req.on('response', (res) => {
      if (res.headers['content-type'] === 'application/json') return void readResult(res).then(resolve, reject);
      res.pipe(sink, { end: false });
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve(JSON.parse(decodeURIComponent(String(res.trailers[RESULT_TRAILER]))) as CommandResult);
        } catch {
          reject(new Error('the server ended the export without its result'));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
