// Owns choosing the text of a purpose or topic for a reader: their language, else its base language,
// else the configured default locale, else any text there is (a registry entry always has one).

export interface LocalizedText {
  name: string;
  description: string;
}

export type Texts = Record<string, LocalizedText>;

/** `wanted` is in the reader's order of preference (e.g. from Accept-Language). */
export function pickText(texts: Texts, wanted: readonly string[], defaultLocale: string): LocalizedText & { locale: string } {
  const candidates = [...wanted.flatMap((tag) => [tag, tag.split('-')[0]!]), defaultLocale];
  for (const tag of candidates) {
    const found = Object.keys(texts).find((key) => key.toLowerCase() === tag.toLowerCase());
    if (found) return { ...texts[found]!, locale: found };
  }
  const [first] = Object.keys(texts);
  return first ? { ...texts[first]!, locale: first } : { name: '', description: '', locale: defaultLocale };
}
