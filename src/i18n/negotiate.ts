// Owns the order in which a page's language is chosen. The reader's own click on the switcher wins; then
// what the app asked for (OIDC `ui_locales`), the customer's saved `locale`, the browser's Accept-Language,
// the brand's default, and English.
import { DEFAULT_LANGUAGE, languageOf, type Language } from './languages.ts';

export interface LanguageSignals {
  /** Chosen on the switcher (kept in a cookie). */
  chosen?: string;
  /** OIDC `ui_locales`: space-separated tags in order of preference. */
  uiLocales?: string;
  /** The customer's saved `locale` claim. */
  saved?: string;
  /** The best supported match of Accept-Language, already negotiated with its q-values. */
  accepted?: string;
  /** The default language of the brand the page belongs to. */
  brandDefault?: string;
  /** Where the switcher leads back to (not a language signal; kept with them as the request's reading context). */
  returnPath?: string;
}

/**
 * The language of a mail to a customer that does not answer their own request (an operator's action): their
 * saved language, else the brand's default, else English; never the language of whoever triggered it.
 */
export function languageOfRecipient(saved: string | undefined, brandDefault?: string): Language {
  return negotiateLanguage({ saved, brandDefault });
}

export function negotiateLanguage(signals: LanguageSignals): Language {
  const fromUiLocales = (signals.uiLocales ?? '').split(/\s+/).slice(0, 10).map(languageOf).find((l) => l !== undefined);
  return languageOf(signals.chosen) ?? fromUiLocales ?? languageOf(signals.saved) ?? languageOf(signals.accepted)
    ?? languageOf(signals.brandDefault) ?? DEFAULT_LANGUAGE;
}
