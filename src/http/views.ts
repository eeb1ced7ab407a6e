// Owns page rendering: handlebars templates under views/, each wrapped in the main layout.
// Templates escape everything by default; only trusted HTML (oidc-provider's forms) uses {{{ }}}.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { errorSummary, fieldAria } from './error-summary.ts';
import { registerI18nHelpers } from '../i18n/handlebars.ts';
import { directionOf, LANGUAGES, NATIVE_NAMES } from '../i18n/languages.ts';
import { currentLanguage, switcherReturnPath } from '../i18n/request-language.ts';
import { renderInBrand } from './brand-views.ts';

const viewsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../views');

export interface PageData {
  title: string;
  [key: string]: unknown;
}

export interface Views {
  render(name: string, data: PageData): string;
  /** The partials a brand may override. */
  partialNames(): string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export function createViews(site: { brandName: string }): Views {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  registerI18nHelpers(hbs);
  hbs.registerHelper('fieldAria', function (id: unknown, ...rest: unknown[]) {
    const options = rest.pop() as Handlebars.HelperOptions;
    const root = ((options.data as { root?: Record<string, unknown> } | undefined)?.root) ?? {};
    return new hbs.SafeString(fieldAria(root, String(id), rest.filter((r): r is string => typeof r === 'string' && r !== '')));
  });
  for (const file of walk(join(viewsDir, 'partials'))) {
    hbs.registerPartial(relative(join(viewsDir, 'partials'), file).replace(/\.hbs$/, ''), readFileSync(file, 'utf8'));
  }
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of walk(viewsDir)) {
    const name = relative(viewsDir, file).replace(/\.hbs$/, '');
    if (!name.startsWith('partials/') && !name.startsWith('mail/') && file.endsWith('.hbs')) templates.set(name, hbs.compile(readFileSync(file, 'utf8'), { strict: false }));
  }
  const layout = templates.get('layouts/main');
  if (!layout) throw new Error('views/layouts/main.hbs is missing');
  return {
    render(name, data) {
      const template = templates.get(name);
      if (!template) throw new Error(`no view named ${name}`);
      const context = { ...data, ...errorSummary(name, data), brandName: site.brandName, ...languageContext() };
      return renderInBrand(hbs, context, (ctx, options) => layout({ ...ctx, body: template(ctx, options) }, options));
    },
    partialNames: () => Object.keys(hbs.partials).sort(),
  };
}

/** What the layout needs to speak the request's language: <html lang dir> and the switcher's links. */
function languageContext() {
  const language = currentLanguage();
  // Slashes stay readable (they need no escaping in a query); everything else is escaped.
  const next = encodeURIComponent(switcherReturnPath()).replaceAll('%2F', '/');
  return {
    language,
    dir: directionOf(language),
    languages: LANGUAGES.map((tag) => ({ tag, name: NATIVE_NAMES[tag], href: `/language/${tag}?next=${next}`, current: tag === language })),
  };
}
