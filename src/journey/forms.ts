// Owns the journey's form schemas: what each page accepts, with messages a person understands.
import { z } from 'zod';
import { t } from '../i18n/translate.ts';
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

/** What else a reader can do while a throttle holds (each its own whole sentence in the catalogue). */
export type Meanwhile = 'reset_password' | 'email_code' | 'email' | 'link';

const TOO_MANY = {
  none: 'journey.too_many.wait',
  reset_password: 'journey.too_many.or_reset_password',
  email_code: 'journey.too_many.or_email_code',
  email: 'journey.too_many.or_email',
  link: 'journey.too_many.or_link',
} as const;

/** "Too many attempts", with how long to wait (minutes from 90 seconds on) and, optionally, what else to do meanwhile. */
export function tooManyAttempts(seconds: number, meanwhile?: Meanwhile): string {
  const minutes = seconds >= 90;
  return t(TOO_MANY[meanwhile ?? 'none'], { unit: minutes ? 'minutes' : 'seconds', count: minutes ? Math.ceil(seconds / 60) : seconds });
}
