// Owns dates written into a sentence in code (a message argument): Intl, in the request's language, in UTC
// like the templates' {{formatDate}}.
import { currentLanguage } from './request-language.ts';

/** A day, e.g. "3 December 2026" / "3 décembre 2026". */
export function formatDay(date: Date): string {
  return new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** A moment, e.g. "3 Dec 2026, 12:40 UTC". */
export function formatMoment(date: Date): string {
  return new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'long', timeZone: 'UTC' }).format(date);
}
