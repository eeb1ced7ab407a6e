// Owns the sharing step of the journey (/interaction/:uid/share): on the first visit to a second brand, which
// of the customer's existing profile fields that brand may have. Nothing is ticked: nothing is shared unless chosen.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { BrandSharing } from '../brands/sharing.ts';
import type { Brands } from '../brands/service.ts';
import type { Csrf } from '../http/csrf.ts';
import { t } from '../i18n/translate.ts';
import type { ProfileService } from '../profile/service.ts';
import { finish, loadInteraction, renderPage, type Interaction, type JourneyPorts } from './context.ts';
import { localesOf } from './profile-routes.ts';

export interface SharingRouteDeps extends JourneyPorts {
  csrf: Csrf;
  brandSharing: BrandSharing;
  brands: Brands;
  profile: ProfileService;
}

export function createSharingRouter(deps: SharingRouteDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/share' });

  /** The interaction at the sharing step, with its account and client; else back to the journey's current step. */
  async function sharingStep(ctx: Context): Promise<{ interaction: Interaction; accountId: string; clientId: string } | undefined> {
    const interaction = await loadInteraction(deps, ctx);
    const accountId = interaction.session?.accountId;
    if (interaction.prompt.name === 'brand_sharing' && accountId) return { interaction, accountId, clientId: String(interaction.params.client_id) };
    ctx.redirect(`/interaction/${interaction.uid}`);
    return undefined;
  }

  router.get('/', async (ctx) => {
    const step = await sharingStep(ctx);
    if (!step) return;
    const question = await deps.brandSharing.question(step.accountId, step.clientId);
    // Answered meanwhile (another tab): the journey goes on.
    if (!question) return finish(deps, ctx, { brand_sharing: { answered: true } }, true);
    const brandName = (await deps.brands.current()).brandOfClient(step.clientId)?.name ?? question.brandId;
    const fields = deps.profile.fieldViews(question.fields, localesOf(ctx, step.interaction)).map((f) => ({ key: f.key, label: f.label }));
    renderPage(deps, ctx, 'journey/share', { title: t('journey.share.title', { brand: brandName }), brandName, fields });
  });

  router.post('/', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const step = await sharingStep(ctx);
    if (!step) return;
    const ticked = form.getAll('share').filter((v) => v.length <= 200).slice(0, 200);
    await deps.brandSharing.answer(step.accountId, step.clientId, ticked, { channel: 'sign-in', ip: ctx.ip });
    await finish(deps, ctx, { brand_sharing: { answered: true } }, true);
  });

  return router;
}
