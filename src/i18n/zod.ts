// Owns localising validation errors. A schema's own message is a catalogue key (e.g.
// "<area>.<page>.<problem>") and is translated; zod's built-in messages ("Too small: expected…") come from
// zod's own translations for the current language.
import { z } from 'zod';
import { currentLanguage } from './request-language.ts';
import { isMessageKey, t } from './translate.ts';
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

/** An issue's message for a person: a catalogue key is translated, anything else is shown as it is. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  return isMessageKey(issue.message) ? t(issue.message) : issue.message;
}
