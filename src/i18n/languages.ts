// Owns which languages Foyer speaks: their tags, their writing direction and the name each gives itself
// (the switcher shows a language in its own words, so a reader finds theirs without reading the current one).
export const LANGUAGES = ['en', 'ar', 'ru', 'pl', 'pt', 'de', 'fr', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

const RIGHT_TO_LEFT: ReadonlySet<Language> = new Set(['ar']);

export const NATIVE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  ar: 'العربية',
  ru: 'Русский',
  pl: 'Polski',
  pt: 'Português',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
};

export function isLanguage(tag: unknown): tag is Language {
  return typeof tag === 'string' && (LANGUAGES as readonly string[]).includes(tag);
}

export function directionOf(language: Language): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(language) ? 'rtl' : 'ltr';
}

/**
 * The supported language a BCP 47 tag asks for, by its primary subtag ("pt-BR" → pt, "AR" → ar), or
 * undefined when Foyer does not speak it. Tags are matched, never trusted: anything odd is undefined.
 */
export function languageOf(tag: string | undefined | null): Language | undefined {
  if (!tag || tag.length > 35 || !/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/.test(tag)) return undefined;
  const primary = tag.split(/[-_]/)[0]!.toLowerCase();
  return isLanguage(primary) ? primary : undefined;
}
