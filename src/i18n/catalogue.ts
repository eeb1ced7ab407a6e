// Owns the message catalogues: one folder per language under locales/, one JSON file per area
// (locales/<language>/<area>.json) whose keys all start with "<area>.". Messages are ICU MessageFormat,
// compiled once per language and key on first use. A key missing in a language falls back to English,
// so a half-translated catalogue degrades to English words, never to a broken page (a test keeps the
// catalogues complete).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './languages.ts';

export const LOCALES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../locales');

export type MessageValues = Record<string, string | number | boolean | Date | null | undefined>;

export function readCatalogue(language: Language, dir = LOCALES_DIR): Map<string, string> {
  const messages = new Map<string, string>();
  let files: string[] = [];
  try {
    files = readdirSync(join(dir, language)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return messages;
  }
  for (const file of files) {
    const entries = JSON.parse(readFileSync(join(dir, language, file), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(entries)) if (typeof value === 'string') messages.set(key, value);
  }
  return messages;
}

export interface Catalogues {
  has(key: string): boolean;
  format(language: Language, key: string, values?: MessageValues): string;
}

export function loadCatalogues(dir = LOCALES_DIR): Catalogues {
  const sources = new Map(LANGUAGES.map((language) => [language, readCatalogue(language, dir)]));
  const compiled = new Map<string, IntlMessageFormat>();
  function compile(language: Language, key: string): IntlMessageFormat | undefined {
    const id = `${language}\u0000${key}`;
    const cached = compiled.get(id);
    if (cached) return cached;
    const source = sources.get(language)?.get(key);
    if (source === undefined) return undefined;
    const message = new IntlMessageFormat(source, language, undefined, { ignoreTag: true });
    compiled.set(id, message);
    return message;
  }
  return {
    has: (key) => sources.get(DEFAULT_LANGUAGE)?.has(key) ?? false,
    format(language, key, values) {
      const message = compile(language, key) ?? compile(DEFAULT_LANGUAGE, key);
      // An unknown key shows itself: visible in review and caught by the catalogue test, never a 500.
      if (!message) return key;
      return String(message.format(values as Record<string, string | number | boolean | Date | null | undefined>));
    },
  };
}
