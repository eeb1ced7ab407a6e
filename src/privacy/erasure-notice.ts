// Owns telling the customer that their account will be erased, with a way back that needs no sign-in (sign-in
// is refused from the request on, and a passwordless customer would otherwise have none): a mail with a
// single-use "Cancel the erasure" link, valid for the grace period, its secret stored hashed.
import type { FlowStore } from '../flows/store.ts';
import { erasureCancelLinkFlow } from '../flows/kinds/account.ts';
import { languageOfRecipient } from '../i18n/negotiate.ts';
import { currentLanguage } from '../i18n/request-language.ts';
import type { MailSender } from '../mail/mailer.ts';
import { constantTimeEqual, hashToken, randomToken } from '../security/tokens.ts';

const KIND = erasureCancelLinkFlow;
const TOKEN = /^(flow_[\w-]{10,40})\.([\w-]{43})$/;

export interface ErasureNoticeDeps {
  flows: FlowStore;
  mailer: MailSender;
  /** The account's address to tell, when it has one. */
  emailOf(accountId: string): Promise<string | null | undefined>;
  /** e.g. https://id.example.com/account/erasure/cancel/ */
  linkBaseUrl: string;
  /** The customer's saved language, for a request an operator made. */
  savedLocale(accountId: string): Promise<string | undefined>;
}

export function createErasureNotice(deps: ErasureNoticeDeps) {
  async function find(token: string) {
    const match = TOKEN.exec(token);
    const flow = match ? await deps.flows.findFlowById(match[1]!, KIND) : undefined;
    const context = flow?.context as { secretHash?: string } | undefined;
    if (!flow?.account_id || !context?.secretHash || !constantTimeEqual(context.secretHash, hashToken(match![2]!))) return undefined;
    return { flowId: flow.id, accountId: flow.account_id };
  }

  return {
    /**
     * After an erasure request with a grace period: mails the date and the cancel link (in the background), in
     * the language of the customer's own request, or in their saved language when an operator asked.
     */
    async notifyRequested(accountId: string, eraseAfter: Date, by: 'customer' | 'operator' = 'customer'): Promise<void> {
      const email = await deps.emailOf(accountId);
      const ttlSeconds = Math.floor((eraseAfter.getTime() - Date.now()) / 1000);
      if (!email || ttlSeconds <= 0) return;
      const secret = randomToken(32);
      const flow = await deps.flows.insertFlow({ kind: KIND, state: 'issued', interactionUid: null, accountId, context: { secretHash: hashToken(secret) }, ttlSeconds });
      const language = by === 'operator' ? languageOfRecipient(await deps.savedLocale(accountId)) : currentLanguage();
      const eraseOn = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(eraseAfter);
      deps.mailer.sendInBackground(email, 'erasure-requested', { link: `${deps.linkBaseUrl}${flow.id}.${secret}`, eraseOn }, { language });
    },
    /** The account a live cancel link is for; undefined when it is unknown, used or expired. */
    async accountOfLink(token: string): Promise<string | undefined> {
      return (await find(token))?.accountId;
    },
    /** Spends the link (it works once): the account it was for, or undefined. */
    async spendLink(token: string): Promise<string | undefined> {
      const found = await find(token);
      if (!found) return undefined;
      await deps.flows.deleteFlow(found.flowId);
      return found.accountId;
    },
  };
}

export type ErasureNotice = ReturnType<typeof createErasureNotice>;
