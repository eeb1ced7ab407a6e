// Owns the sign-in page of an account waiting for erasure: shown only after its own password, with a
// "Cancel erasure" button that restores the account and continues the sign-in (the proof is held server-side).
import { t } from '../i18n/translate.ts';
import { formatDay } from '../i18n/format.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { FlowStore } from '../flows/store.ts';
import { erasureCancelFlow } from '../flows/kinds/account.ts';
import type { Csrf } from '../http/csrf.ts';
import type { Erasure } from '../privacy/erasure.ts';
import { loadInteraction, renderPage } from './context.ts';
import { completeInteractiveLogin, type PasskeyOfferPorts } from './passkey-offer.ts';

export interface ErasurePendingPorts extends PasskeyOfferPorts {
  flows: FlowStore;
  privacy: { erasure: Erasure };
}

const KIND = erasureCancelFlow;

/** After the right password of an account waiting for erasure: hold the proof, say so, offer to cancel. */
export async function showErasurePending(ports: ErasurePendingPorts, ctx: Context, accountId: string, eraseAfter: Date): Promise<void> {
  const uid = String(ctx.params.uid);
  const previous = await ports.flows.findFlowForInteraction(uid, KIND);
  if (previous) await ports.flows.deleteFlow(previous.id);
  await ports.flows.insertFlow({ kind: KIND, state: 'proven', interactionUid: uid, accountId, context: {} });
  renderPage(ports, ctx, 'journey/erasure-pending', { title: t('journey.erasure.title'), eraseOn: formatDay(eraseAfter) }, 403);
}

export function createErasureRouter(deps: ErasurePendingPorts & { csrf: Csrf }): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  router.post('/erasure/cancel', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const held = await deps.flows.findFlowForInteraction(interaction.uid, KIND);
    if (!held?.account_id) {
      return renderPage(deps, ctx, 'errors/error', { title: t('errors.page.refused'), message: t('journey.erasure.sign_in_again') }, 400);
    }
    await deps.flows.deleteFlow(held.id);
    await deps.privacy.erasure.cancelErasure(held.account_id, { channel: 'sign-in' });
    // Only the password page holds this proof, so the login's amr is the password's.
    await completeInteractiveLogin(deps, ctx, held.account_id, ['pwd']);
  });
  return router;
}
