// Owns the structured logger. Secrets never reach it: known secret-bearing fields are redacted.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The logger; `destination` (stdout when absent) lets a test read what was logged. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    redact: {
      paths: ['password', 'new_password', 'code', 'token', 'secret', 'client_secret', '*.password', '*.code', '*.token', '*.secret', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  }, destination);
}
