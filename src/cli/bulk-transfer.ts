// Owns the `foyer` process's side of `users import FILE` and `users export --format jsonl`: opening the file
// (or standard input for "-"), a progress bar on a terminal, and where the export's lines go. The command runs
// here, or on the server holding the embedded database: then the file streams over the control socket as it
// is read (the server parses it as it arrives, so neither side holds it), and the export streams back.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { CommandEnv, CommandResult } from './commands.ts';
import { sendControlExport, sendControlImport } from './control-socket.ts';
import { exportFormatOf, importFileOf, importFormatOf } from './customer-commands.ts';

export interface BulkTransfer {
  /** What the command needs when it runs in this process. */
  env(): Pick<CommandEnv, 'importSource' | 'exportSink'>;
  /** Runs it on the server over its control socket (each call starts the file again: a retry is safe). */
  handOver(dataDir: string): Promise<CommandResult>;
  /** Stops the progress bar and closes the output file. */
  finish(): Promise<void>;
}

const commandOf = (argv: string[]) => argv.filter((a) => a !== '--json');
const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** A bar on standard error while the file is read, when that is a terminal. */
function progressBar(total: number | null): { track(stream: Readable): Readable; stop(): void } {
  if (!process.stderr.isTTY || total === null) return { track: (s) => s, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr, hideCursor: true, clearOnComplete: false, barsize: 30, barCompleteChar: '\u2588', barIncompleteChar: '\u2591',
    format: 'importing [{bar}] {percentage}% | {read} of {size}',
  });
  bar.start(total, 0, { read: size(0), size: size(total) });
  return {
    track(stream) {
      let read = 0;
      bar.update(0, { read: size(0) });
      return stream.pipe(new Transform({
        transform(chunk: Buffer, _encoding, done) {
          read += chunk.length;
          bar.update(read, { read: size(read) });
          done(null, chunk);
        },
      }));
    },
    stop: () => bar.stop(),
  };
}

function prepareImport(argv: string[]): BulkTransfer {
  const args = commandOf(argv).slice(2);
  const file = importFileOf(args);
  importFormatOf(file, parseArgs({ args, options: { format: { type: 'string' } }, strict: false }).values.format as string | undefined);
  const fromStdin = file === '-';
  let size: number | null = null;
  if (!fromStdin) {
    try {
      size = statSync(file).size;
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  const bar = progressBar(size);
  const open = () => bar.track(fromStdin ? process.stdin : createReadStream(file));
  return {
    env: () => ({ importSource: { stream: open(), size } }),
    handOver: (dataDir) => sendControlImport(dataDir, argv, open(), size),
    finish: async () => bar.stop(),
  };
}

function prepareExport(argv: string[]): BulkTransfer {
  exportFormatOf(commandOf(argv).slice(2));
  const at = argv.findIndex((a) => a === '--output');
  const inline = argv.find((a) => a.startsWith('--output='));
  const output = inline ? inline.slice('--output='.length) : at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !output) throw new Error('--output needs a FILE');
  // The export holds password hashes: a file of it is for its owner only.
  const sink: Writable = output ? createWriteStream(output, { mode: 0o600 }) : process.stdout;
  const forServer = argv.filter((a, i) => a !== '--output' && !a.startsWith('--output=') && !(at >= 0 && i === at + 1));
  return {
    env: () => ({ exportSink: sink }),
    handOver: (dataDir) => sendControlExport(dataDir, forServer, sink),
    async finish() {
      if (sink === process.stdout) return;
      sink.end();
      await finished(sink);
    },
  };
}

/** The import or export this command line asks for, or undefined for any other command. */
export function prepareBulkTransfer(argv: string[]): BulkTransfer | undefined {
  const [group, verb, ...rest] = commandOf(argv);
  if (group !== 'users') return undefined;
  if (verb === 'import') return prepareImport(argv);
  if (verb === 'export' && rest.some((a) => a === '--format' || a.startsWith('--format='))) return prepareExport(argv);
  return undefined;
}
