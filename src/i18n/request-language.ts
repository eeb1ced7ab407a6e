// Owns the language of the request being answered. The locale middleware opens a scope per request with
// what it knows (switcher cookie, Accept-Language); later steps add what only they know (the journey the
// app's ui_locales, the account pages the customer's saved locale, a brand its default) and the language
// is chosen again. Pages, messages and mails read it from here instead of threading it through every call.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_LANGUAGE, type Language } from './languages.ts';
import { negotiateLanguage, type LanguageSignals } from './negotiate.ts';

interface RequestLanguage {
  signals: LanguageSignals;
  language: Language;
}

const scope = new AsyncLocalStorage<RequestLanguage>();

export function runWithLanguage<T>(signals: LanguageSignals, fn: () => T): T {
  return scope.run({ signals, language: negotiateLanguage(signals) }, fn);
}

/** Adds what a later step knows about the reader's language; the language is negotiated again. */
export function addLanguageSignals(more: LanguageSignals): Language {
  const current = scope.getStore();
  if (!current) return DEFAULT_LANGUAGE;
  const defined = Object.fromEntries(Object.entries(more).filter(([, v]) => typeof v === 'string' && v !== '')) as LanguageSignals;
  current.signals = { ...current.signals, ...defined };
  current.language = negotiateLanguage(current.signals);
  return current.language;
}

/** The language of the request being answered; English outside one (jobs, the command line). */
export function currentLanguage(): Language {
  return scope.getStore()?.language ?? DEFAULT_LANGUAGE;
}

/** The path the language switcher returns to after a choice. */
export function switcherReturnPath(): string {
  return scope.getStore()?.signals.returnPath ?? '/';
}
