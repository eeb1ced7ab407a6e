// Load generators: a custom closed loop (N workers, each doing one operation after another) for the
// multi-step and stateful scenarios, and autocannon for the single-request ones. Both warm up first,
// then measure for a fixed time, and always stop by themselves.
import autocannon from 'autocannon';

export interface Measured {
  /** Completed operations per second in the measured window. */
  rate: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  firstError?: string;
}

export interface LoopOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One operation. Return false (having done nothing) to retire this worker, e.g. its refresh chain broke. */
  operation: (worker: number) => Promise<boolean | void>;
  /** Called when the measured window opens and closes (to sample the server only while measuring). */
  window?: MeasureWindow;
}

/** end() must be idempotent and may come without a start(). */
export interface MeasureWindow {
  start(): void;
  end(): void;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The figures of a measured window from its latencies (ms, any order) and failures. */
function summarise(latencies: number[], errors: number, firstError: string | undefined, seconds: number): Measured {
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / seconds,
    completed: latencies.length,
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    seconds,
    ...(firstError ? { firstError } : {}),
  };
}

export async function closedLoop(options: LoopOptions): Promise<Measured> {
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const opened = setTimeout(() => options.window?.start(), options.warmupMs);
  const closed = setTimeout(() => options.window?.end(), options.warmupMs + options.durationMs);

  async function worker(index: number): Promise<void> {
    while (performance.now() < end) {
      const t0 = performance.now();
      let keepGoing: boolean | void = true;
      try {
        keepGoing = await options.operation(index);
      } catch (error) {
        const t1 = performance.now();
        if (t1 >= measureFrom && t1 <= end) errors++;
        firstError ??= (error as Error).message;
        // Do not spin on a failing server.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (keepGoing === false) return;
      const t1 = performance.now();
      if (t1 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  } finally {
    // Workers that all retired early still get a closed window.
    clearTimeout(opened);
    clearTimeout(closed);
    options.window?.end();
  }
  return summarise(latencies, errors, firstError, options.durationMs / 1000);
}

export interface CannonOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  window?: MeasureWindow;
}

async function cannonOnce(options: CannonOptions, durationMs: number): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    connections: options.connections,
    pipelining: 1,
    duration: durationMs / 1000,
    timeout: 30,
  });
}

export async function cannon(options: CannonOptions): Promise<Measured> {
  if (options.warmupMs > 0) await cannonOnce(options, options.warmupMs);
  options.window?.start();
  let result: autocannon.Result;
  try {
    result = await cannonOnce(options, options.durationMs);
  } finally {
    options.window?.end();
  }
  const seconds = result.duration;
  const errors = result.non2xx + result.errors;
  return {
    rate: result['2xx'] / seconds,
    completed: result['2xx'],
    errors,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    seconds,
    ...(errors ? { firstError: `${result.non2xx} non-2xx (${Object.entries(result.statusCodeStats).map(([code, s]) => `${code}×${s.count}`).join(', ')}), ${result.errors} errors, ${result.timeouts} timeouts` } : {}),
  };
}

export interface PacedOptions {
  /** Operations started per second, evenly spaced, whether or not earlier ones have finished (an open loop). */
  rate: number;
  warmupMs: number;
  durationMs: number;
  operation: () => Promise<void>;
  window?: MeasureWindow;
}

/**
 * An open loop at a fixed rate: each operation's latency counts from when it was due to start, so a server
 * that falls behind shows it in the percentiles instead of slowing the generator down (no coordinated omission).
 */
export async function paced(options: PacedOptions): Promise<Measured> {
  const interval = 1000 / options.rate;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const latencies: number[] = [];
  const running = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | undefined;
  let windowOpen = false;
  for (let n = 0; ; n++) {
    const due = start + n * interval;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (!windowOpen && due >= measureFrom) {
      windowOpen = true;
      options.window?.start();
    }
    const measured = due >= measureFrom;
    const op: Promise<void> = options.operation().then(
      () => {
        if (measured) latencies.push(performance.now() - due);
      },
      (error: unknown) => {
        if (measured) errors++;
        firstError ??= (error as Error).message;
      },
    ).finally(() => running.delete(op));
    running.add(op);
  }
  // The window closes at the end of the schedule; operations still under way finish and count.
  options.window?.end();
  await Promise.all(running);
  return summarise(latencies, errors, firstError, options.durationMs / 1000);
}
