// Owns rendering a page in the request's brand: the brand (name, logo, theme, links, default language) in
// the context, and the brand's template overrides in place of the partials they name. Overrides are checked
// when saved; should one still fail while rendering (an unknown helper, say), the page renders without them.
import type Handlebars from 'handlebars';
import { currentBrand, currentBrandTemplates } from '../brands/request-brand.ts';

type Render = (context: Record<string, unknown>, options?: Handlebars.RuntimeOptions) => string;

const compiled = new WeakMap<object, Map<string, Handlebars.TemplateDelegate>>();

function overridesOf(hbs: typeof Handlebars, sources: ReadonlyMap<string, string>): Record<string, Handlebars.TemplateDelegate> {
  let cache = compiled.get(sources);
  if (!cache) compiled.set(sources, (cache = new Map()));
  const partials: Record<string, Handlebars.TemplateDelegate> = {};
  for (const [name, source] of sources) {
    let template = cache.get(name);
    if (!template) cache.set(name, (template = hbs.compile(source, { strict: false })));
    partials[name] = template;
  }
  return partials;
}

export function renderInBrand(hbs: typeof Handlebars, context: Record<string, unknown>, render: Render): string {
  const brand = currentBrand();
  const branded = brand ? { ...context, brand, brandName: brand.name } : context;
  const sources = currentBrandTemplates();
  if (!sources?.size) return render(branded);
  try {
    return render(branded, { partials: overridesOf(hbs, sources) });
  } catch {
    return render(branded);
  }
}
