// Owns the lite sign-up ("first handshake"): an email (and perhaps a name) with consent to a purpose,
// no password; a mailed link confirms the address, then a lite account holds it. Throttled per email, address, client.
// A client captures only for a purpose its brand may offer (the form and the API both ask `offer`).
import { canonicalEmail, normalizeEmail } from '../accounts/email-address.ts';
import type { AccountQueries } from '../accounts/queries.ts';
import { clientOffers } from '../brands/offers.ts';
import type { Brands } from '../brands/service.ts';
import type { ConsentQueries } from '../consent/queries.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { MailSender } from '../mail/mailer.ts';
import type { ProfileQueries } from '../profile/queries.ts';
import { pickLocale } from '../profile/schema.ts';
import type { ThrottleQueries } from '../security/throttle.ts';
import { keyedHash, randomToken } from '../security/tokens.ts';
import type { FlowStore } from './store.ts';
import { liteCaptureFlow } from './kinds/lite-capture.ts';

const KIND = liteCaptureFlow;
const TOKEN = /^[\w-]{43}$/;
/** Accounts a confirmed capture may attach to; a disabled or erased one is left alone (the same answer). */
const ATTACHES = new Set(['lite', 'active', 'restricted']);

export interface LiteCaptureSettings {
  perEmail: number;
  perAddress: number;
  perClient: number;
  windowSeconds: number;
  linkTtlSeconds: number;
  purposes: Record<string, { label: Record<string, string> }>;
}

export interface LiteCaptureDeps {
  db: Db;
  flows: FlowStore;
  accounts: AccountQueries;
  consent: Pick<ConsentQueries, 'appendConsentRecord'>;
  profileValues: Pick<ProfileQueries, 'insertValueIfAbsent'>;
  events: Pick<EventOutbox, 'emit'>;
  throttle: Pick<ThrottleQueries, 'hit'>;
  mailer: MailSender;
  /** Which brand a client is in, and which purposes each brand lists as its own. */
  brands: Pick<Brands, 'current'>;
  hashKey: Buffer;
  settings: LiteCaptureSettings;
  /** The link in the mail is this plus the token, e.g. https://id.example.com/capture/confirm/ */
  confirmBaseUrl: string;
}

export interface CaptureInput {
  email: string;
  givenName?: string | undefined;
  familyName?: string | undefined;
  purpose: string;
  clientId: string;
  clientName: string;
  address: string;
  channel: 'capture-page' | 'capture-api';
}

/** Whether a client may capture for a purpose: `other_brand` when the purpose is another brand's own. */
export type CaptureOffer = 'offered' | 'unknown_purpose' | 'other_brand';

export type CaptureResult =
  | { status: 'sent' }
  | { status: Exclude<CaptureOffer, 'offered'> }
  | { status: 'throttled'; retryAfterSeconds: number };

export type ConfirmResult = { status: 'confirmed'; accountId: string; created: boolean; purpose: string } | { status: 'expired' };

const secondsUntil = (date: Date) => Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));

export function createLiteCapture(deps: LiteCaptureDeps) {
  const { db, flows, accounts, settings } = deps;

  /** One hit on each limit, client first: a page or app flooding one inbox, or many, is refused. */
  async function throttled(input: CaptureInput): Promise<number | undefined> {
    const keys: [string, number][] = [
      [`capture|client|${input.clientId}`, settings.perClient],
      [`capture|address|${input.address}`, settings.perAddress],
      [`capture|email|${normalizeEmail(input.email)}`, settings.perEmail],
    ];
    for (const [key, limit] of keys) {
      const state = await deps.throttle.hit(keyedHash(deps.hashKey, key), settings.windowSeconds);
      if (state.hits > limit) return secondsUntil(state.windowEndsAt);
    }
    return undefined;
  }

  /** A purpose configured for capture, and the client's brand's own or one shared by all brands. */
  async function offer(purpose: string, clientId: string): Promise<CaptureOffer> {
    if (!Object.hasOwn(settings.purposes, purpose)) return 'unknown_purpose';
    return clientOffers(await deps.brands.current(), clientId, 'purposes', purpose) ? 'offered' : 'other_brand';
  }

  return {
    offer,

    /** The purpose's checkbox text in the customer's language; undefined for a purpose not configured. */
    purposeLabel: (purpose: string, locales: string[]): string | undefined => pickLocale(settings.purposes[purpose]?.label, locales),

    /** Mails a confirmation link, whether or not an account has the email (the answer never tells). */
    async startCapture(input: CaptureInput): Promise<CaptureResult> {
      // Checked before anything is counted or stored: a refused purpose leaves no trace.
      const offered = await offer(input.purpose, input.clientId);
      if (offered !== 'offered') return { status: offered };
      const wait = await throttled(input);
      if (wait !== undefined) return { status: 'throttled', retryAfterSeconds: wait };
      const account = await accounts.findAccountByEmail(input.email);
      if (account && !ATTACHES.has(account.status)) return { status: 'sent' };
      const token = randomToken(32);
      await flows.insertFlow({
        kind: KIND, state: 'sent', interactionUid: null, accountId: null, ttlSeconds: settings.linkTtlSeconds, secret: token,
        context: {
          email: canonicalEmail(input.email), purpose: input.purpose, clientId: input.clientId, channel: input.channel,
          source: input.channel === 'capture-api' ? 'api' : 'customer', ip: input.address, capturedAt: new Date().toISOString(),
          ...(input.givenName ? { givenName: input.givenName } : {}), ...(input.familyName ? { familyName: input.familyName } : {}),
        },
      });
      deps.mailer.sendInBackground(input.email, 'capture-confirm', {
        link: `${deps.confirmBaseUrl}${token}`, clientName: input.clientName, purpose: pickLocale(settings.purposes[input.purpose]?.label, ['en']), hours: Math.round(settings.linkTtlSeconds / 3600),
      });
      return { status: 'sent' };
    },

    /** What the confirmation page shows, without using the link (mail scanners fetch links). */
    async describeConfirmation(token: string): Promise<{ email: string; purpose: string } | undefined> {
      const flow = TOKEN.test(token) ? await flows.findFlowBySecret(KIND, token) : undefined;
      return flow && { email: flow.context.email, purpose: flow.context.purpose };
    },

    /** The link was used: the address is proven, the lite account exists (or the account is found), consent is recorded. */
    async confirm(token: string): Promise<ConfirmResult> {
      const result = await db.transaction(async (trx): Promise<ConfirmResult> => {
        // Taken out of the table in one statement: of two presses of the link, one confirms.
        const flow = TOKEN.test(token) ? await flows.consumeFlowBySecret(KIND, token, trx) : undefined;
        if (!flow) return { status: 'expired' };
        const c = flow.context;
        let account = await accounts.findAccountByEmail(c.email, trx);
        if (account && !ATTACHES.has(account.status)) return { status: 'expired' };
        const created = !account;
        // A lite account: no sign-in method yet. Its first sign-in by any method activates this same account.
        account ??= await accounts.insertAccount({ email: c.email, status: 'lite', passwordHash: null, emailVerified: true }, trx);
        if (!created) await accounts.markEmailVerified(account.id, c.email, trx);
        // An anonymous form never overwrites what the account holds: names are only filled in where absent.
        const named: string[] = [];
        if (c.givenName && (await deps.profileValues.insertValueIfAbsent(account.id, 'given_name', c.givenName, c.source, c.clientId, trx))) named.push('given_name');
        if (c.familyName && (await deps.profileValues.insertValueIfAbsent(account.id, 'family_name', c.familyName, c.source, c.clientId, trx))) named.push('family_name');
        if (named.length) await deps.events.emit({ type: 'profile.updated', accountId: account.id, clientId: c.clientId, data: { fields: named, source: c.source } }, trx);
        await deps.consent.appendConsentRecord({
          accountId: account.id, subjectKind: 'purpose', subjectRef: c.purpose, action: 'grant', legalBasis: 'consent',
          details: { purpose: c.purpose, captured_at: c.capturedAt, confirmed_by: 'email_link' },
        }, { channel: c.channel, clientId: c.clientId, ip: c.ip }, trx);
        if (created) await deps.events.emit({ type: 'account.captured', accountId: account.id, clientId: c.clientId, data: { purpose: c.purpose, channel: c.channel } }, trx);
        await deps.events.emit({ type: 'consent.granted', accountId: account.id, clientId: c.clientId, data: { purpose: c.purpose, channel: c.channel } }, trx);
        return { status: 'confirmed', accountId: account.id, created, purpose: c.purpose };
      });
      return result;
    },
  };
}

export type LiteCapture = ReturnType<typeof createLiteCapture>;
