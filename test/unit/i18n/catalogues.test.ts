// The catalogues stay complete: every language has every key English has (and no other), each message is
// valid ICU MessageFormat with the same arguments as the English one, and every key a template or the code
// uses exists. A new language is a folder under locales/ plus its tag in src/i18n/languages.ts; this test
// then lists what it still lacks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { LOCALES_DIR, readCatalogue } from '../../../src/i18n/catalogue.ts';
import { LANGUAGES } from '../../../src/i18n/languages.ts';

const english = readCatalogue('en');
const areas = readdirSync(join(LOCALES_DIR, 'en')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path, suffix) : path.endsWith(suffix) ? [path] : [];
  });
}

/** The names of a message's arguments ({name}, {count, plural, …}), nested ones included. */
function argumentsOf(message: string, language: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: unknown[]): void => {
    for (const node of nodes as Array<{ type: number; value?: unknown; options?: Record<string, { value: unknown[] }>; children?: unknown[] }>) {
      if (node.type >= 1 && node.type <= 6 && typeof node.value === 'string') names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
      if (node.children) walk(node.children);
    }
  };
  walk(new IntlMessageFormat(message, language, undefined, { ignoreTag: true }).getAst() as unknown[]);
  return [...names].sort();
}

describe('message catalogues', () => {
  it('each file holds only keys of its own area', () => {
    for (const language of LANGUAGES) {
      for (const file of readdirSync(join(LOCALES_DIR, language)).filter((f) => f.endsWith('.json'))) {
        const area = file.replace(/\.json$/, '');
        const keys = Object.keys(JSON.parse(readFileSync(join(LOCALES_DIR, language, file), 'utf8')) as object);
        expect(keys.filter((k) => !k.startsWith(`${area}.`)), `${language}/${file}`).toEqual([]);
      }
    }
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the keys English has', (language) => {
    const messages = readCatalogue(language);
    expect([...english.keys()].filter((k) => !messages.has(k)), `missing in ${language}`).toEqual([]);
    expect([...messages.keys()].filter((k) => !english.has(k)), `only in ${language}`).toEqual([]);
  });

  it.each([...LANGUAGES])('%s messages are ICU MessageFormat with the arguments English uses', (language) => {
    const messages = readCatalogue(language);
    const mismatched: string[] = [];
    for (const [key, message] of messages) {
      const source = english.get(key);
      if (source !== undefined && argumentsOf(message, language).join() !== argumentsOf(source, 'en').join()) mismatched.push(key);
    }
    expect(mismatched).toEqual([]);
  });

  // Markup in a sentence comes from the template as an escaped argument ({{t "k" email=(strong email)}}),
  // never from a catalogue, whose text is always escaped.
  it.each([...LANGUAGES])('%s messages hold no markup', (language) => {
    expect([...readCatalogue(language)].filter(([, message]) => /<\/?(?:a|b|bdi|br|code|em|i|p|span|strong)\b[^>]*>/i.test(message)).map(([key]) => key)).toEqual([]);
  });

  it('every key a template uses exists', () => {
    const views = join(LOCALES_DIR, '../views');
    const missing = files(views, '.hbs').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:\{\{|\()\s*t\s+"([^"]+)"/g)].map((m) => m[1]!).filter((key) => !english.has(key)).map((key) => `${file.slice(views.length + 1)}: ${key}`));
    expect(missing).toEqual([]);
  });

  it('every key the code names exists', () => {
    const src = join(LOCALES_DIR, '../src');
    const keyLike = new RegExp(`['"\`]((?:${areas.join('|')})\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)+)['"\`]`, 'g');
    const missing = files(src, '.ts').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(keyLike)].map((m) => m[1]!).filter((key) => !english.has(key)).map((key) => `${file.slice(src.length + 1)}: ${key}`));
    expect(missing).toEqual([]);
  });
});
