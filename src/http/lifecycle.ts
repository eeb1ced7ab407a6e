// Owns the HTTP side of an orderly stop: a draining flag (readiness turns 503 at once, so a load balancer
// takes the instance out while it still serves), every answer from then on closing its connection, and
// closing the server so that every request already received gets its answer, within a time limit.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Lifecycle {
  /** True from the stop signal on: readiness answers 503; the instance still serves what reaches it. */
  readonly draining: boolean;
  startDraining(): void;
}

export function createLifecycle(): Lifecycle {
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps the app's handler: while draining, each answer closes its connection, so clients reconnect elsewhere. */
export function closingConnectionsWhileDraining(handler: Handler, lifecycle: Lifecycle): Handler {
  return (req, res) => {
    if (lifecycle.draining) res.shouldKeepAlive = false;
    handler(req, res);
  };
}

/**
 * Stops accepting connections, closes the idle ones, and lets requests in flight finish; whatever is still open
 * after `withinMs` is cut. Resolves when the server is closed.
 */
export function closeHttpServer(http: Server, withinMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => http.closeAllConnections(), withinMs);
    http.close(() => {
      clearTimeout(force);
      resolve();
    });
    http.closeIdleConnections();
  });
}
