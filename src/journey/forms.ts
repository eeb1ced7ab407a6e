// Owns the journey's form schemas: what each page accepts, with messages a person understands.
import { z } from 'zod';
import { issueMessage } from '../i18n/zod.ts';

export { emailSchema } from '../accounts/email-address.ts';
export const codeSchema = z.string().trim().regex(/^\d{6}$/, 'journey.code.invalid');

export function field(fields: URLSearchParams, name: string, max = 1024): string {
  return (fields.get(name) ?? '').slice(0, max);
}

export function firstError(result: z.ZodSafeParseResult<unknown>): string | undefined {
  const issue = result.success ? undefined : result.error.issues[0];
  return issue ? issueMessage(issue) : undefined;
}

/** "Too many attempts", with how long to wait in words and, optionally, what else to do meanwhile. */
export function tooManyAttempts(seconds: number, alternative?: string): string {
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return `Too many attempts. Try again in ${wait}${alternative ? `, or ${alternative}` : ''}.`;
}
