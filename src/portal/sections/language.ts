// Owns the customer's saved language on the account pages: the choice among the languages Foyer speaks,
// kept as the standard `locale` profile value (released as the `locale` claim by the release rule), and
// read back as a language signal for the account pages (src/i18n/negotiate.ts order) and for mails.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { LANGUAGE_COOKIE } from '../../http/language.ts';
import { isLanguage, LANGUAGES, NATIVE_NAMES } from '../../i18n/languages.ts';
import { currentLanguage } from '../../i18n/request-language.ts';
import { t } from '../../i18n/translate.ts';
import { portalState, type PortalDeps } from '../types.ts';
import { redirectDone } from './shared.ts';

/** The select's options: each language in its own words, the saved one (else the page's) selected. */
export async function savedLanguageChoices(deps: PortalDeps, accountId: string) {
  const saved = await deps.services.profile.savedLocale(accountId);
  const selected = isLanguage(saved) ? saved : currentLanguage();
  return LANGUAGES.map((tag) => ({ tag, name: NATIVE_NAMES[tag], selected: tag === selected }));
}

export function languagePages(router: Router, deps: PortalDeps, refuse: (ctx: Context, error: string) => Promise<void>): void {
  router.post('/language', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const tag = fields.get('locale');
    if (!isLanguage(tag)) return refuse(ctx, t('portal.overview.language_invalid'));
    const result = await deps.services.profile.saveLocale(portalState(ctx).account.id, tag);
    if (result.status !== 'ok') return refuse(ctx, t('portal.overview.language_invalid'));
    // The switcher's cookie outranks a saved language; the choice made here is the newer one, so it goes.
    if (ctx.cookies.get(LANGUAGE_COOKIE)) ctx.cookies.set(LANGUAGE_COOKIE, null, { path: '/', overwrite: true });
    redirectDone(ctx, '/account/overview', 'language');
  });
}
