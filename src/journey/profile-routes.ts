// Owns the profile step of the journey (/interaction/:uid/profile): the fields due now as decided by the
// profile prompt, saved with provenance 'customer'; "Not now" for optional ones; required ones block the app.
import { t } from '../i18n/translate.ts';
import { currentLanguage } from '../i18n/request-language.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Csrf } from '../http/csrf.ts';
import type { ProfileDecision } from '../profile/policy.ts';
import { formFields } from '../http/profile-form.ts';
import type { ProfileService } from '../profile/service.ts';
import { finish, loadInteraction, renderPage, type Interaction, type JourneyPorts } from './context.ts';

export interface ProfileRouteDeps extends JourneyPorts {
  csrf: Csrf;
  profile: ProfileService;
}

const asked = (interaction: Interaction): ProfileDecision => {
  const details = interaction.prompt.details as { profile_required?: unknown; profile_optional?: unknown };
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : []);
  return { required: list(details.profile_required), optional: list(details.profile_optional) };
};

/** The customer's languages: the page's negotiated language first, then ui_locales of the request, then the browser's. */
export function localesOf(ctx: Context, interaction?: Interaction): string[] {
  const ui = typeof interaction?.params.ui_locales === 'string' ? interaction.params.ui_locales.split(' ').filter(Boolean) : [];
  return [currentLanguage(), ...ui, ...ctx.acceptsLanguages().filter((l) => l !== '*'), 'en'];
}

export function createProfileRouter(deps: ProfileRouteDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/profile' });

  async function clientName(interaction: Interaction): Promise<string> {
    const client = await deps.provider().Client.find(String(interaction.params.client_id));
    return client?.clientName ?? client?.clientId ?? t('journey.consent.this_app');
  }

  async function page(ctx: Context, interaction: Interaction, input?: URLSearchParams, errors?: Record<string, string>, status = 200, error?: string) {
    const due = asked(interaction);
    const name = await clientName(interaction);
    const views = deps.profile.fieldViews([...due.required, ...due.optional], localesOf(ctx, interaction));
    const required = due.required.length > 0;
    renderPage(deps, ctx, 'journey/profile', {
      title: required ? t('journey.profile.title_required', { client: name }) : t('journey.profile.title'),
      clientName: name, required, fields: formFields(views, (key) => input?.getAll(key) ?? [], { required: due.required, why: t('journey.profile.why', { client: name }), ...(errors ? { errors } : {}) }), error,
    }, status);
  }

  async function profileInteraction(ctx: Context): Promise<Interaction | undefined> {
    const interaction = await loadInteraction(deps, ctx);
    if (interaction.prompt.name === 'profile' && interaction.session?.accountId) return interaction;
    ctx.redirect(`/interaction/${interaction.uid}`);
    return undefined;
  }

  router.get('/', async (ctx) => {
    const interaction = await profileInteraction(ctx);
    if (interaction) await page(ctx, interaction);
  });

  router.post('/', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await profileInteraction(ctx);
    if (!interaction) return;
    const result = await deps.profile.submitAnswers({
      accountId: interaction.session!.accountId, clientId: String(interaction.params.client_id), asked: asked(interaction),
      read: (key) => fields.getAll(key).map((v) => v.slice(0, 2000)).slice(0, 50), locales: localesOf(ctx, interaction), clientName: await clientName(interaction),
    });
    if (result.status === 'invalid') return page(ctx, interaction, fields, result.errors, 400, t('journey.profile.check_fields'));
    await finish(deps, ctx, { profile: { saved: result.saved, skipped: result.skipped } }, true);
  });

  router.post('/skip', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await profileInteraction(ctx);
    if (!interaction) return;
    const due = asked(interaction);
    const result = await deps.profile.skipFields({ accountId: interaction.session!.accountId, clientId: String(interaction.params.client_id), asked: due });
    if (result.status === 'required_missing') return page(ctx, interaction, fields, {}, 400, `${await clientName(interaction)} cannot continue without the required details.`);
    await finish(deps, ctx, { profile: { saved: [], skipped: due.optional } }, true);
  });

  return router;
}
