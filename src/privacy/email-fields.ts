// Owns where a person's email sits in rows that carry no account id (a sign-in in progress, an app's
// login_hint, a mail kept for the dev outbox), and finding those rows by the address itself: compared as an
// address (NFC, case-insensitive, as accounts compare them), never as a substring, so erasing ann@x.com
// leaves joann@x.com's rows alone.
import { normalizeEmail } from '../accounts/email-address.ts';
import type { Db } from '../db/create-db.ts';
import type { EmailField, PrivacyQueries } from './queries.ts';

/** Every place an email is written without the account id: a new one belongs here, or erasure misses it. */
export const EMAIL_FIELDS: EmailField[] = [
  // Flow contexts (sign-in, sign-up, reset, email code, capture, federation) are erased by the flows store.
  // An app may name the address in its authorization request; oidc-provider keeps the parameters.
  { table: 'oidc_models', column: 'payload', path: ['params', 'login_hint'], only: { column: 'model', values: ['Interaction', 'DeviceCode'] } },
  { table: 'dev_outbox', column: 'recipient' },
];

/** The values of `field`, as stored, that are one of `emails` as addresses. */
export async function findEmailValues(queries: PrivacyQueries, field: EmailField, emails: string[], trx: Db): Promise<string[]> {
  const wanted = new Set(emails.map(normalizeEmail));
  const candidates = await queries.selectEmailFieldCandidates(field, [...wanted], trx);
  return candidates.filter((value) => wanted.has(normalizeEmail(value)));
}
