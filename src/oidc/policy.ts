// Owns the interaction policy: oidc-provider's base prompts (login, consent) with Foyer's own prompts
// inserted as checks, in the design's order (login → terms → consent).
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { ConsentService } from '../consent/service.ts';

const { Check, Prompt, base } = interactionPolicy;

export function createInteractionPolicy(consent: ConsentService) {
  const policy = base();
  const terms = new Prompt(
    { name: 'terms', requestable: false },
    new Check('terms_not_accepted', 'the current terms have not been accepted', 'interaction_required', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return Check.NO_NEED_TO_PROMPT;
      return (await consent.pendingDocuments(accountId)).length > 0 ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  policy.add(terms, policy.findIndex((prompt) => prompt.name === 'consent'));
  return policy;
}
