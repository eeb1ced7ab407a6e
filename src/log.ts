// Owns the structured logger. Secrets never reach it: known secret-bearing fields are redacted.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['password', 'new_password', 'code', 'token', 'secret', 'client_secret', '*.password', '*.code', '*.token', '*.secret', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
