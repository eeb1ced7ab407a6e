// Owns each request's brand scope and the brands' own files: the logo (`/brands/<id>/logo`, cacheable for
// ever: its address carries a content hash) and the theme stylesheet of CSS custom properties. The account
// pages and /privacy take their brand from `?brand=`, else the last brand the customer came from (a cookie the
// journey sets); every other page starts in the default brand until the journey names the interaction's client.
import type { Context, Next } from 'koa';
import type { Brands, BrandSnapshot } from '../brands/service.ts';
import { runWithBrand } from '../brands/request-brand.ts';
import { DEFAULT_BRAND, themeCss } from '../brands/view.ts';
import type { Logger } from '../log.ts';

export const BRAND_COOKIE = 'foyer_brand';
const YEAR_MS = 365 * 24 * 3600 * 1000;
const PAGE_PREFIXES = ['/interaction', '/account', '/admin', '/privacy', '/capture', '/device', '/signin', '/preferences', '/federation', '/session', '/demo', '/language'];
const API_PREFIXES = ['/admin/api', '/account/api'];

const rendersPages = (path: string) => PAGE_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`)) && !API_PREFIXES.some((p) => path.startsWith(p));

/** `ownClients`: Foyer's own page clients, whose sign-in pages keep the brand the customer came from. */
export function brandScope(brands: Brands, log: Logger, secure: boolean, ownClients: readonly string[] = []) {
  const remember = (ctx: Context, id: string) => ctx.cookies.set(BRAND_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, maxAge: YEAR_MS, overwrite: true });
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!rendersPages(ctx.path)) return next();
    let snapshot: BrandSnapshot | undefined;
    try {
      snapshot = await brands.current();
    } catch (error) {
      // Pages still render in Foyer's own look when brands cannot be read; the page's own queries decide on a 503.
      log.warn({ err: error }, 'brands could not be read; pages use the default look');
    }
    let brand = snapshot?.brands.get(DEFAULT_BRAND);
    let lastBrand = snapshot?.brands.get(ctx.cookies.get(BRAND_COOKIE) ?? '');
    if (snapshot && (ctx.path.startsWith('/account') || ctx.path === '/privacy')) {
      const asked = typeof ctx.query.brand === 'string' ? snapshot.brands.get(ctx.query.brand) : undefined;
      if (asked) remember(ctx, asked.id);
      lastBrand = asked ?? lastBrand;
      brand = lastBrand ?? brand;
    }
    const onChosen = (chosen: { id: string }) => remember(ctx, chosen.id);
    await runWithBrand({ snapshot, brand, lastBrand, keepsLastBrand: (id) => ownClients.includes(id), onChosen }, next);
  };
}

export function serveBrandFiles(brands: Brands) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const match = /^\/brands\/([a-z0-9-]{1,40})\/(logo|theme\.css)$/.exec(ctx.path);
    if (!match || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.state.metricsRoute = `/brands/:id/${match[2]}`;
    const id = match[1]!;
    // Versioned addresses (?v=) never change content; unversioned ones are checked again after a minute.
    const cache = ctx.query.v ? 'public, max-age=31536000, immutable' : 'public, max-age=60';
    if (match[2] === 'logo') {
      const logo = await brands.logo(id);
      if (!logo) return void (ctx.status = 404);
      ctx.set('Cache-Control', cache);
      ctx.set('ETag', `"${logo.hash}"`);
      ctx.set('Content-Security-Policy', "default-src 'none'");
      if (ctx.get('If-None-Match') === `"${logo.hash}"`) return void (ctx.status = 304);
      ctx.type = logo.type;
      ctx.body = logo.bytes;
      return;
    }
    const brand = (await brands.current()).brands.get(id);
    if (!brand) return void (ctx.status = 404);
    ctx.set('Cache-Control', cache);
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = themeCss(brand);
  };
}
