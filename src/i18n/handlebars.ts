// Owns the template helpers for words, dates and numbers. `{{t "key" name=value}}` formats a catalogue
// message in the language of the render (`@root.language`, set for pages and for mails composed for a
// customer), else the request's. Dates and numbers go through Intl in the same language.
import type { HelperOptions } from 'handlebars';
import type HandlebarsNamespace from 'handlebars';
import { isLanguage, type Language } from './languages.ts';
import { currentLanguage } from './request-language.ts';
import { translate, type MessageValues } from './translate.ts';

function languageOfRender(options: HelperOptions): Language {
  const root = (options.data as { root?: { language?: unknown } } | undefined)?.root;
  return isLanguage(root?.language) ? root.language : currentLanguage();
}

export function registerI18nHelpers(hbs: typeof HandlebarsNamespace): void {
  hbs.registerHelper('t', function (key: unknown, options: HelperOptions) {
    if (typeof key !== 'string') throw new Error('{{t}} needs a message key');
    const hash = options.hash as Record<string, unknown>;
    if (!Object.values(hash).some((v) => v instanceof hbs.SafeString)) return translate(languageOfRender(options), key, hash as MessageValues);
    // A value that is markup already ({{t "k" email=(strong email)}}): the message is escaped around it, the markup kept.
    const marks = new Map<string, string>();
    const values = Object.fromEntries(Object.entries(hash).map(([name, value]) => {
      if (!(value instanceof hbs.SafeString)) return [name, value];
      const mark = `\u0001${marks.size}\u0001`;
      marks.set(mark, value.toHTML());
      return [name, mark];
    })) as MessageValues;
    let html = hbs.escapeExpression(translate(languageOfRender(options), key, values));
    for (const [mark, markup] of marks) html = html.replaceAll(mark, markup);
    return new hbs.SafeString(html);
  });
  hbs.registerHelper('strong', (value: unknown) => new hbs.SafeString(`<strong>${hbs.escapeExpression(String(value ?? ''))}</strong>`));
  // A message whose words wrap markup (`<strong>{email}</strong>`, a link): the catalogue's own text is
  // trusted markup, every argument is escaped. Keys of such messages end in `_html`.
  hbs.registerHelper('tHtml', function (key: unknown, options: HelperOptions) {
    if (typeof key !== 'string') throw new Error('{{tHtml}} needs a message key');
    const values = Object.fromEntries(Object.entries(options.hash as MessageValues)
      .map(([name, value]) => [name, typeof value === 'string' ? hbs.escapeExpression(value) : value]));
    return new hbs.SafeString(translate(languageOfRender(options), key, values));
  });
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
