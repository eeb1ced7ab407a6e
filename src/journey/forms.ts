// Owns the journey's form schemas: what each page accepts, with messages a person understands.
import { z } from 'zod';

export { emailSchema } from '../accounts/email-address.ts';
export const codeSchema = z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code from the email.');

export function field(fields: URLSearchParams, name: string, max = 1024): string {
  return (fields.get(name) ?? '').slice(0, max);
}

export function firstError(result: z.ZodSafeParseResult<unknown>): string | undefined {
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** "Too many attempts", with how long to wait in words and, optionally, what else to do meanwhile. */
export function tooManyAttempts(seconds: number, alternative?: string): string {
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return `Too many attempts. Try again in ${wait}${alternative ? `, or ${alternative}` : ''}.`;
}
