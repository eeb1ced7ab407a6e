// Child processes of the bench: every one is tracked so that nothing outlives the bench, whatever way it
// ends (normal end, error, Ctrl-C). Also samples a process's memory and CPU from /proc while it is under load.
import { type ChildProcess, spawn, type SpawnOptions, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const children = new Set<ChildProcess>();

export interface Tracked {
  child: ChildProcess;
  pid: number;
  /** The last lines the process wrote (stdout and stderr), for diagnostics. */
  tail(): string;
  /** Lines that look like warnings or errors (pino level >= 40, or anything on stderr). */
  complaints: string[];
  exited: Promise<number | null>;
}

export function spawnTracked(command: string, args: string[], options: SpawnOptions): Tracked {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
  children.add(child);
  const lines: string[] = [];
  const complaints: string[] = [];
  const keep = (stream: 'out' | 'err') => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      const level = /"level":(\d+)/.exec(line);
      if ((stream === 'err' || (level && Number(level[1]) >= 40)) && complaints.length < 50) complaints.push(line);
    }
  };
  child.stdout!.on('data', keep('out'));
  child.stderr!.on('data', keep('err'));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  return { child, pid: child.pid, tail: () => lines.join('\n'), complaints, exited };
}

/** Tracks a child started elsewhere (e.g. by execFile) so that it is killed if the bench ends early. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopTracked(tracked: Tracked, graceMs = 8000): Promise<void> {
  if (tracked.child.exitCode !== null || tracked.child.signalCode !== null) return;
  tracked.child.kill('SIGTERM');
  const timer = setTimeout(() => tracked.child.kill('SIGKILL'), graceMs);
  await tracked.exited;
  clearTimeout(timer);
}

/** Last resort, synchronous (usable from process 'exit'). */
export function killAllChildren(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

process.on('exit', killAllChildren);

const CLK_TCK = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** utime + stime of a process (all its threads), in seconds; undefined if it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after the closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by all running processes named `name` (e.g. the PostgreSQL backends). */
export function cpuSecondsOfNamed(name: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== name) continue;
      total += cpuSecondsOf(Number(entry)) ?? 0;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or undefined. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has been busy (all cores, every process), from /proc/stat. */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export interface Usage {
  /** Peak resident set seen while sampling, in MB. */
  peakRssMb: number;
  /** Cores the process kept busy on average (CPU seconds / wall seconds). */
  cores: number;
  /** Cores all PostgreSQL processes kept busy (0 when PostgreSQL is not involved). */
  pgCores: number;
  /** Cores the bench process itself (the load generator) kept busy. */
  genCores: number;
  /** Cores kept busy by everything else on the machine (other people's work, the OS). */
  otherCores: number;
}

/** The resident set of a process's children (e.g. the first start's database preparation), in kB. */
export function childrenRssKb(pid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += statusKb(Number(entry), 'VmRSS') ?? 0;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

const cpuOfAll = (pids: number[], fallback: number[]) => pids.reduce((sum, pid, i) => sum + (cpuSecondsOf(pid) ?? fallback[i] ?? 0), 0);
const peakRssOfAll = (pids: number[]) => Math.max(0, ...pids.map((pid) => statusKb(pid, 'VmRSS') ?? 0));

/**
 * Samples a process (or the instances of one deployment) every 100 ms until stopped: CPU is summed over
 * them, the peak resident set is the highest of any one.
 */
export function sampleUsage(pid: number | number[], options: { postgres?: boolean } = {}): { stop(): Usage } {
  const pids = Array.isArray(pid) ? pid : [pid];
  const wallStart = performance.now();
  const cpuStarts = pids.map((p) => cpuSecondsOf(p) ?? 0);
  const cpuStart = cpuStarts.reduce((a, b) => a + b, 0);
  const pgStart = options.postgres ? cpuSecondsOfNamed('postgres') : 0;
  const genStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  let peakKb = peakRssOfAll(pids);
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, peakRssOfAll(pids));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      peakKb = Math.max(peakKb, peakRssOfAll(pids));
      const wall = (performance.now() - wallStart) / 1000;
      const gen = process.cpuUsage(genStart);
      const machineEnd = machineBusySeconds();
      const cores = (cpuOfAll(pids, cpuStarts) - cpuStart) / wall;
      const pgCores = options.postgres ? (cpuSecondsOfNamed('postgres') - pgStart) / wall : 0;
      const genCores = (gen.user + gen.system) / 1e6 / wall;
      const machineCores = machineStart === undefined || machineEnd === undefined ? undefined : (machineEnd - machineStart) / wall;
      return {
        peakRssMb: peakKb / 1024,
        cores,
        pgCores,
        genCores,
        otherCores: machineCores === undefined ? Number.NaN : Math.max(0, machineCores - cores - pgCores - genCores),
      };
    },
  };
}

/** A measured window over sampleUsage: start() and end() may be called in any order, end() more than once. */
export function usageWindow(pid: number | number[], options: { postgres?: boolean } = {}): { start(): void; end(): void; usage(): Usage } {
  let sampler: { stop(): Usage } | undefined;
  let usage: Usage | undefined;
  const end = () => {
    if (usage) return;
    sampler ??= sampleUsage(pid, options);
    usage = sampler.stop();
  };
  return {
    start() {
      if (!sampler && !usage) sampler = sampleUsage(pid, options);
    },
    end,
    usage() {
      end();
      return usage!;
    },
  };
}
