// Owns telling "the database cannot be reached" apart from every other failure, so an edge answers 503
// (retry later) instead of a wrong verdict such as "invalid token". Imports nothing from Foyer.

/** Seconds a client is asked to wait (Retry-After) while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Socket-level failures of the driver reaching PostgreSQL.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// PostgreSQL SQLSTATEs of a server going away or refusing connections: admin/crash shutdown, cannot connect now, too many connections.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
// What pg, knex and PGlite say when the connection is gone (they carry no code).
const MESSAGES = /PGlite is closed|Connection terminated|connection is closed|Client has encountered a connection error|Timeout acquiring a connection|Unable to acquire a connection|aborted due to a connection error/i;

function unavailable(error: unknown, depth: number): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, name, message, cause, errors } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (name === 'KnexTimeoutError') return true;
  if (typeof message === 'string' && MESSAGES.test(message)) return true;
  if (Array.isArray(errors) && errors.some((e) => unavailable(e, depth + 1))) return true;
  return unavailable(cause, depth + 1);
}

/** True when the error means the database could not be reached (down, restarting, unreachable, closed). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}
