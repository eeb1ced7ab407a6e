// The returning customer's sign-in (SSO): each virtual user's browser signs in once with a password, then
// signs in again and again with the session that left in its cookie jar — authorize (a fresh PKCE each
// time) → the pages Foyer shows a returning customer (none when no prompt is due) → code → token. Measured
// twice: a closed loop for the most flows/s the server gives, then an open loop paced at half that rate
// for the latency a customer sees on a server with head-room.
import type { Agent } from 'node:http';
import { ssoSignIn, signInKeepingBrowser, type SignInStats, type WebClient } from './flows.ts';
import type { CookieJar } from './http.ts';
import { closedLoop, paced, type Measured, type MeasureWindow } from './load.ts';
import type { Row, Target } from './report.ts';

export interface SsoBench {
  target: Exclude<Target, 'bare'>;
  pids: number[];
  agent: Agent;
  web: WebClient;
  /** One account per virtual user (its browser is signed in once before measuring). */
  emails: string[];
  password: string;
  concurrency: number;
  timing: { warmupMs: number; durationMs: number };
  /** run.ts's scenario runner: records the row, samples the server's CPU and memory in the measured window. */
  run(row: Omit<Row, 'measured' | 'usage' | 'failure'>, pid: number[], body: (window: MeasureWindow | undefined) => Promise<Measured>): Promise<Row>;
  pool<T>(limit: number, items: T[], task: (item: T) => Promise<void>): Promise<void>;
  progress(message: string): void;
}

export async function ssoScenarios(b: SsoBench): Promise<void> {
  b.progress(`signing in ${b.emails.length} browsers once with a password (the SSO flow's virtual users keep them)`);
  const jars: CookieJar[] = [];
  await b.pool(b.concurrency, b.emails.map((email, i) => ({ email, i })), async ({ email, i }) => {
    jars[i] = await signInKeepingBrowser(b.agent, b.web, email, b.password);
  });
  const stats: SignInStats = { termsAccepted: 0 };
  const flow = (i: number) => ssoSignIn(b.agent, b.web, jars[i]!, b.emails[i]!, stats);

  // Closed loop: worker w owns browsers w, w + c, w + 2c, …, so a browser is never in two flows at once.
  const concurrency = Math.min(b.concurrency, jars.length);
  const turn = Array.from({ length: concurrency }, () => 0);
  const max = await b.run({ scenario: 'sso', target: b.target, concurrency, generator: 'loop' }, b.pids, (window) => closedLoop({
    concurrency,
    ...b.timing,
    ...(window ? { window } : {}),
    async operation(worker) {
      const owned = Math.ceil((jars.length - worker) / concurrency);
      const n = turn[worker] ?? 0;
      turn[worker] = n + 1;
      await flow(worker + (n % owned) * concurrency);
    },
  }));
  if (!max.measured) return;

  // Open loop at half that rate; a flow takes the next free browser (waiting for one counts in its latency).
  const rate = max.measured.rate / 2;
  const free = jars.map((_, i) => i);
  const waiting: ((i: number) => void)[] = [];
  const take = () => new Promise<number>((resolve) => {
    const i = free.shift();
    if (i === undefined) waiting.push(resolve);
    else resolve(i);
  });
  const give = (i: number) => {
    const next = waiting.shift();
    if (next) next(i);
    else free.push(i);
  };
  await b.run({ scenario: 'sso-half', target: b.target, concurrency: 0, generator: 'paced', pacedRate: rate }, b.pids, (window) => paced({
    rate,
    ...b.timing,
    ...(window ? { window } : {}),
    async operation() {
      const i = await take();
      try {
        await flow(i);
      } finally {
        give(i);
      }
    },
  }));
  if (stats.termsAccepted) b.progress(`  note: ${stats.termsAccepted} measured SSO flows showed the terms page`);
}
