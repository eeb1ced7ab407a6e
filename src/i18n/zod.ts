// Owns localising validation errors. A schema's own message is a catalogue key (e.g.
// "schema.http_url" or "<area>.<page>.<problem>"), resolved when the issue is read, in the reader's language
// (or one named, e.g. English for a config file read at start); zod's built-in messages ("Too small:
// expected…") come from zod's own translations for the current language.
import { z } from 'zod';
import { currentLanguage } from './request-language.ts';
import { isMessageKey, translate, type MessageValues } from './translate.ts';
import type { Language } from './languages.ts';

const ZOD_LOCALES: Record<Language, () => { localeError: z.core.$ZodErrorMap }> = {
  en: z.locales.en, ar: z.locales.ar, ru: z.locales.ru, pl: z.locales.pl,
  pt: z.locales.pt, de: z.locales.de, fr: z.locales.fr, es: z.locales.es,
};

const errorMaps = new Map<Language, z.core.$ZodErrorMap>();

/** zod's error map for the current language: pass as `schema.safeParse(input, { error: zodErrorMap() })`. */
export function zodErrorMap(): z.core.$ZodErrorMap {
  const language = currentLanguage();
  let map = errorMaps.get(language);
  if (!map) {
    map = ZOD_LOCALES[language]().localeError;
    errorMaps.set(language, map);
  }
  return map;
}

const listOf = (values: readonly unknown[], language: Language) =>
  new Intl.ListFormat(language, { type: 'unit' }).format(values.map(String));

/**
 * The arguments a schema's message may use: the issue's own facts (`minimum` of a too-small value, `maximum` of a
 * too-big one, the allowed `options` of an enum, listed as the language lists them) and the `params` a refinement
 * or a custom issue carries (a list listed the same way). Anything else stays out of the sentence.
 */
function argumentsOf(issue: z.core.$ZodIssue, language: Language): MessageValues {
  const values: MessageValues = {};
  if (issue.code === 'too_small') values.minimum = Number(issue.minimum);
  if (issue.code === 'too_big') values.maximum = Number(issue.maximum);
  if (issue.code === 'invalid_value') values.options = listOf(issue.values, language);
  if (issue.code === 'custom') {
    for (const [name, value] of Object.entries(issue.params ?? {})) {
      if (Array.isArray(value)) values[name] = listOf(value, language);
      else if (['string', 'number', 'boolean'].includes(typeof value)) values[name] = value as string | number | boolean;
    }
  }
  return values;
}

/**
 * An issue's message for a person, in the request's language unless another is named: a catalogue key is
 * formatted with the issue's arguments (see argumentsOf), anything else (zod's own words) is shown as it is.
 */
export function issueMessage(issue: z.core.$ZodIssue, language: Language = currentLanguage()): string {
  return isMessageKey(issue.message) ? translate(language, issue.message, argumentsOf(issue, language)) : issue.message;
}

/**
 * An issue as an API answer or a start-up error names it: "<path>: <message>", the path of the member it is
 * about (`whole` when it names none, e.g. "query"; just the message when that is empty too).
 */
export function describeIssue(issue: z.core.$ZodIssue, whole = '', language?: Language): string {
  const where = issue.path.length ? issue.path.join('.') : whole;
  return where ? `${where}: ${issueMessage(issue, language)}` : issueMessage(issue, language);
}
