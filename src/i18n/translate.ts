// Owns turning a message key into words: in the current request's language (`t`) or a named one
// (`translate`, for mails composed for a customer rather than for the reader of a page).
import { loadCatalogues, type Catalogues, type MessageValues } from './catalogue.ts';
import type { Language } from './languages.ts';
import { currentLanguage } from './request-language.ts';

let catalogues: Catalogues | undefined;

function shared(): Catalogues {
  catalogues ??= loadCatalogues();
  return catalogues;
}

export function translate(language: Language, key: string, values?: MessageValues): string {
  return shared().format(language, key, values);
}

export function t(key: string, values?: MessageValues): string {
  return translate(currentLanguage(), key, values);
}

/** Whether a text is a catalogue key (schemas carry keys as their messages; see zod.ts). */
export function isMessageKey(text: string): boolean {
  return shared().has(text);
}

export type { MessageValues };
