// Owns Foyer's Prometheus metrics: one registry per running server, the counters the app records, and the
// gauges read only when scraped. Must not import domain or HTTP modules: they report here through the small
// recording functions below, and what a gauge reads is handed in (`watch`).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the scrape-time gauges read; each may fail (the database is down) and then keeps its last value. */
export interface WatchedSources {
  /** Webhook deliveries waiting to be sent (the outbox's depth). */
  outboxDepth(): Promise<number>;
  /** The database connection pool, where there is one. */
  pool(): { used: number; free: number; pendingAcquires: number; pendingCreates: number; max: number } | undefined;
  /** argon2 computations running and waiting for a thread. */
  argon2(): { running: number; waiting: number };
}

export type GrantOutcome = 'success' | 'error';
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface Metrics {
  readonly contentType: string;
  /** The text exposition of every metric. */
  render(): Promise<string>;
  /** One HTTP request answered: `route` is a route pattern (never the raw path), so labels stay few. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  signIn(method: string): void;
  signUp(method: string): void;
  /** A credential check that failed (wrong password, code, second factor), by throttle kind. */
  credentialFailure(method: string): void;
  /** A check or a mail refused because a throttle's limit was reached. */
  throttled(method: string): void;
  tokenGrant(grantType: string, outcome: GrantOutcome): void;
  webhookDelivery(outcome: DeliveryOutcome): void;
  /** Registers the scrape-time gauges. */
  watch(sources: WatchedSources): void;
  /** Process memory, CPU, event-loop lag, GC, heap: prom-client's default metrics (servers only). */
  collectProcessMetrics(): void;
}

// The methods and methods' kinds are Foyer's own names; anything else is counted as `other`.
const LABEL = /^[a-z0-9_+:-]{1,40}$/;
const bounded = (value: string) => (LABEL.test(value) ? value : 'other');

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Histogram({
    name: 'foyer_http_request_duration_seconds', help: 'HTTP requests answered, by method, route pattern and status, and how long they took.',
    labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
  });
  const signIns = new Counter({ name: 'foyer_sign_ins_total', help: 'Completed interactive sign-ins, by method (RFC 8176 amr values joined by +).', labelNames: ['method'], registers });
  const signUps = new Counter({ name: 'foyer_sign_ups_total', help: 'Accounts created by a sign-up, by method.', labelNames: ['method'], registers });
  const failures = new Counter({ name: 'foyer_credential_failures_total', help: 'Failed credential checks (password, codes, second factors, passkeys), by method.', labelNames: ['method'], registers });
  const throttles = new Counter({ name: 'foyer_throttled_total', help: 'Attempts and code mails refused by a throttle, by method.', labelNames: ['method'], registers });
  const grants = new Counter({ name: 'foyer_token_grants_total', help: 'Token endpoint grants, by grant type and outcome (success or error).', labelNames: ['grant_type', 'outcome'], registers });
  const deliveries = new Counter({ name: 'foyer_webhook_deliveries_total', help: 'Webhook delivery attempts, by outcome: delivered, retry (failed, tried again later) or failed (gave up).', labelNames: ['outcome'], registers });
  let processMetrics = false;

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeRequest(method, route, status, seconds) {
      requests.observe({ method, route, status: String(status) }, seconds);
    },
    signIn: (method) => signIns.inc({ method: bounded(method) }),
    signUp: (method) => signUps.inc({ method: bounded(method) }),
    credentialFailure: (method) => failures.inc({ method: bounded(method) }),
    throttled: (method) => throttles.inc({ method: bounded(method) }),
    tokenGrant: (grantType, outcome) => grants.inc({ grant_type: grantType, outcome }),
    webhookDelivery: (outcome) => deliveries.inc({ outcome }),
    watch(sources) {
      new Gauge({
        name: 'foyer_outbox_depth', help: 'Webhook deliveries waiting to be sent (due now or retrying later).', registers,
        async collect() {
          try {
            this.set(await sources.outboxDepth());
          } catch {
            // The database does not answer: the last value stands (readiness reports the outage).
          }
        },
      });
      new Gauge({
        name: 'foyer_db_pool_connections', help: 'Database pool connections by state: used, free, pending_acquire (requests waiting for one), pending_create.',
        labelNames: ['state'], registers,
        collect() {
          const pool = sources.pool();
          if (!pool) return;
          this.set({ state: 'used' }, pool.used);
          this.set({ state: 'free' }, pool.free);
          this.set({ state: 'pending_acquire' }, pool.pendingAcquires);
          this.set({ state: 'pending_create' }, pool.pendingCreates);
        },
      });
      new Gauge({
        name: 'foyer_db_pool_max', help: 'The most connections the database pool opens.', registers,
        collect() {
          const pool = sources.pool();
          if (pool) this.set(pool.max);
        },
      });
      new Gauge({ name: 'foyer_argon2_running', help: 'argon2 password hashes being computed now (at most one per core).', registers, collect() { this.set(sources.argon2().running); } });
      new Gauge({ name: 'foyer_argon2_queued', help: 'argon2 password hashes waiting for a free core.', registers, collect() { this.set(sources.argon2().waiting); } });
    },
    collectProcessMetrics() {
      if (processMetrics) return;
      processMetrics = true;
      collectDefaultMetrics({ register: registry });
    },
  };
}
