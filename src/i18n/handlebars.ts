// Owns the template helpers for words, dates and numbers. `{{t "key" name=value}}` formats a catalogue
// message in the language of the render (`@root.language`, set for pages and for mails composed for a
// customer), else the request's. Dates and numbers go through Intl in the same language.
// Markup in a sentence comes only from the template, as an argument built by a markup helper
// (`{{t "k" email=(strong email)}}`): catalogue text and every other value are always escaped.
import type { HelperOptions } from 'handlebars';
import type HandlebarsNamespace from 'handlebars';
import { isLanguage, type Language } from './languages.ts';
import { currentLanguage } from './request-language.ts';
import { translate, type MessageValues } from './translate.ts';

const MARK = '\u0001';

function languageOfRender(options: HelperOptions): Language {
  const root = (options.data as { root?: { language?: unknown } } | undefined)?.root;
  return isLanguage(root?.language) ? root.language : currentLanguage();
}

export function registerI18nHelpers(hbs: typeof HandlebarsNamespace): void {
  hbs.registerHelper('t', function (key: unknown, options: HelperOptions) {
    if (typeof key !== 'string') throw new Error('{{t}} needs a message key');
    const hash = options.hash as Record<string, unknown>;
    if (!Object.values(hash).some((v) => v instanceof hbs.SafeString)) return translate(languageOfRender(options), key, hash as MessageValues);
    // Each markup value stands in the message as a mark no text can hold; the rest is escaped, then the marks
    // become the markup.
    const marks = new Map<string, string>();
    const values = Object.fromEntries(Object.entries(hash).map(([name, value]) => {
      if (!(value instanceof hbs.SafeString)) return [name, typeof value === 'string' ? value.replaceAll(MARK, '') : value];
      const mark = `${MARK}${marks.size}${MARK}`;
      marks.set(mark, value.toHTML());
      return [name, mark];
    })) as MessageValues;
    let html = hbs.escapeExpression(translate(languageOfRender(options), key, values));
    for (const [mark, markup] of marks) html = html.replaceAll(mark, markup);
    return new hbs.SafeString(html);
  });
  // The markup a message may carry, each around an escaped value: (strong email), (inlineCode error),
  // (isolate userAgent) (a <bdi>, kept apart from right-to-left words), (linkTo href text).
  const wrap = (tag: string) => (value: unknown) => new hbs.SafeString(`<${tag}>${hbs.escapeExpression(String(value ?? ''))}</${tag}>`);
  hbs.registerHelper('strong', wrap('strong'));
  hbs.registerHelper('inlineCode', wrap('code'));
  hbs.registerHelper('isolate', wrap('bdi'));
  hbs.registerHelper('linkTo', (href: unknown, text: unknown) =>
    new hbs.SafeString(`<a href="${hbs.escapeExpression(String(href ?? ''))}" dir="auto">${hbs.escapeExpression(String(text ?? ''))}</a>`));
  hbs.registerHelper('formatDate', function (value: unknown, options: HelperOptions) {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) return '';
    // style="datetime" adds hours and minutes; style="seconds" adds seconds too (the audit log, the consent vault).
    const asked = (options.hash as { style?: string }).style;
    const style = asked === 'datetime' ? { dateStyle: 'medium', timeStyle: 'short' } as const
      : asked === 'seconds' ? { dateStyle: 'medium', timeStyle: 'medium' } as const : { dateStyle: 'medium' } as const;
    return new Intl.DateTimeFormat(languageOfRender(options), { ...style, timeZone: 'UTC' }).format(date);
  });
  hbs.registerHelper('formatNumber', function (value: unknown, options: HelperOptions) {
    return typeof value === 'number' ? new Intl.NumberFormat(languageOfRender(options)).format(value) : '';
  });
}
