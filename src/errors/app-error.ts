// Owns Foyer's one error type: a stable dotted code, an HTTP status, and whether its message may be shown.
// Imports nothing from Foyer.

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;

  constructor(code: string, message: string, status = 400, expose = status < 500) {
    super(message);
    this.code = code;
    this.status = status;
    this.expose = expose;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
