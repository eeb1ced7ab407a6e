// Owns communication preferences (topics × channels): opt-out at once, opt-in at once for SMS and push,
// and for email only after the mailed link is followed (double opt-in). Each change is a ledger record
// and an event; `isContactAllowed` is what other modules ask before sending.
import { currentLanguage } from '../../i18n/request-language.ts';
import type { Channel } from '../../config/consent-schema.ts';
import { normalizeEmail } from '../../accounts/email-address.ts';
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import { AppError } from '../../errors/app-error.ts';
import type { EventOutbox } from '../../events/outbox.ts';
import type { MailSender } from '../../mail/mailer.ts';
import type { ThrottleQueries } from '../../security/throttle.ts';
import { constantTimeEqual, hashToken, keyedHash, randomToken } from '../../security/tokens.ts';
import type { ConsentQueries } from '../queries.ts';
import type { ConsentRegistry, Topic } from '../registry/registry.ts';
import type { PreferenceQueries, PreferenceStatus } from './queries.ts';

export interface Preference {
  topic: string;
  channel: Channel;
  /** `none`: the customer never chose, which counts as not opted in. */
  status: PreferenceStatus | 'none';
  source: string | null;
  changedAt: Date | null;
}

export interface PreferenceDeps {
  db: Db;
  queries: PreferenceQueries;
  ledger: ConsentQueries;
  registry: ConsentRegistry;
  accounts: AccountQueries;
  events: EventOutbox;
  mailer: MailSender;
  throttle: ThrottleQueries;
  settings: {
    hashKey: Buffer; confirmationSeconds: number; mailsPerEmail: number; mailsPerAddress: number; windowSeconds: number; confirmUrl: (token: string) => string;
    /** Signs unsubscribe links; `unsubscribeUrl` makes the link of a token. */
    unsubscribeKey: Buffer; unsubscribeUrl: (token: string) => string;
  };
}

/** Who and what an unsubscribe link is for. */
interface UnsubscribeTarget { accountId: string; topic: string; channel: Channel }

const UNSUBSCRIBE_TOKEN = /^([\w-]{10,400})\.([\w-]{43})$/;

export type SetPreferenceResult = { status: 'opted_in' | 'opted_out' | 'pending' | 'unchanged' };

export function createPreferences(deps: PreferenceDeps) {
  const { db, queries, ledger, events, settings } = deps;

  // An unsubscribe link names account, topic and channel, signed: it needs no table and never expires (RFC 8058
  // links must keep working in old mails); all it can do is opt out, which is harmless to repeat.
  const signUnsubscribe = (payload: string) => keyedHash(settings.unsubscribeKey, `unsubscribe|${payload}`);
  function unsubscribeToken(target: UnsubscribeTarget): string {
    const payload = Buffer.from(JSON.stringify([target.accountId, target.topic, target.channel])).toString('base64url');
    return `${payload}.${signUnsubscribe(payload)}`;
  }
  function readUnsubscribeToken(token: string): UnsubscribeTarget | undefined {
    const match = UNSUBSCRIBE_TOKEN.exec(token);
    if (!match || !constantTimeEqual(match[2]!, signUnsubscribe(match[1]!))) return undefined;
    const [accountId, topic, channel] = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8')) as string[];
    return accountId && topic && channel ? { accountId, topic, channel: channel as Channel } : undefined;
  }

  /** Sends a mail about a topic: it carries the unsubscribe link, and the List-Unsubscribe headers of RFC 2369 and 8058. */
  async function sendTopicMail(accountId: string, email: string, topic: Topic, data: Record<string, unknown>): Promise<void> {
    const link = settings.unsubscribeUrl(unsubscribeToken({ accountId, topic: topic.id, channel: 'email' }));
    deps.mailer.sendInBackground(email, 'preference-subscribed', { ...data, topic: deps.registry.text(topic.texts).name, unsubscribeLink: link }, {
      headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  }

  async function topicChannel(topicId: string, channel: string): Promise<{ topic: Topic; channel: Channel }> {
    const topic = (await deps.registry.listTopics()).find((t) => t.id === topicId);
    if (!topic || !topic.channels.includes(channel as Channel)) throw new AppError('preferences.unknown', 'There is no such topic or channel.', 400);
    return { topic, channel: channel as Channel };
  }

  /** Changes the preference and writes its ledger record and event in one transaction. */
  async function record(accountId: string, topic: string, channel: Channel, status: 'opted_in' | 'opted_out', source: string, ip: string | undefined, trx: Db): Promise<void> {
    await queries.upsertPreference(accountId, topic, channel, status, source, trx);
    const receiptId = await ledger.appendConsentRecord({
      accountId, subjectKind: 'preference', subjectRef: `${topic}:${channel}`, action: status === 'opted_in' ? 'grant' : 'withdraw',
      details: { topic, channel }, legalBasis: 'consent',
    }, { channel: source, ip }, trx);
    await events.emit({ type: 'preference.updated', accountId, data: { receiptId, topic, channel, status, source } }, trx);
  }

  async function allowMail(email: string, address: string): Promise<void> {
    const perEmail = await deps.throttle.hit(keyedHash(settings.hashKey, `preference-mail|email|${normalizeEmail(email)}`), settings.windowSeconds);
    const perAddress = await deps.throttle.hit(keyedHash(settings.hashKey, `preference-mail|address|${address}`), settings.windowSeconds);
    if (perEmail.hits > settings.mailsPerEmail || perAddress.hits > settings.mailsPerAddress) {
      throw new AppError('preferences.too_many_mails', 'Too many attempts: we have sent several confirmation mails already. Please use the one you received, or try again later.', 429);
    }
  }

  async function startEmailOptIn(accountId: string, topic: Topic, source: string, address: string): Promise<SetPreferenceResult> {
    const account = await deps.accounts.findAccountById(accountId);
    if (!account?.email) throw new AppError('preferences.no_email', 'Your account has no email address to confirm.', 400);
    await allowMail(account.email, address);
    const token = randomToken(32);
    await db.transaction(async (trx) => {
      await queries.upsertPreference(accountId, topic.id, 'email', 'pending', source, trx);
      await queries.insertConfirmation({ tokenHash: hashToken(token), accountId, topic: topic.id, channel: 'email', ttlSeconds: settings.confirmationSeconds }, trx);
      await events.emit({ type: 'preference.pending', accountId, data: { topic: topic.id, channel: 'email', source } }, trx);
    });
    const text = deps.registry.text(topic.texts);
    await deps.mailer.send(account.email, 'preference-confirm', {
      topic: text.name, link: settings.confirmUrl(token), days: Math.max(1, Math.round(settings.confirmationSeconds / 86400)),
    });
    return { status: 'pending' };
  }

  /** `source` names where the change came from (account, account-api, …); `address` is the client's, for the mail throttle. */
  async function setPreference(accountId: string, input: { topic: string; channel: string; optIn: boolean }, context: { source: string; address: string }): Promise<SetPreferenceResult> {
    const { topic, channel } = await topicChannel(input.topic, input.channel);
    const current = await queries.findPreferenceRow(accountId, topic.id, channel);
    if (!input.optIn) {
      if (current?.status === 'opted_out') return { status: 'unchanged' };
      // Checked again under a row lock: opt-outs sent at once (a mail client's one-click POST retried) record one change.
      return db.transaction(async (trx) => {
        if ((await queries.findPreferenceRow(accountId, topic.id, channel, trx, true))?.status === 'opted_out') return { status: 'unchanged' as const };
        await record(accountId, topic.id, channel, 'opted_out', context.source, context.address, trx);
        return { status: 'opted_out' as const };
      });
    }
    if (current?.status === 'opted_in') return { status: 'unchanged' };
    if (channel === 'email') return startEmailOptIn(accountId, topic, context.source, context.address);
    await db.transaction((trx) => record(accountId, topic.id, channel, 'opted_in', context.source, context.address, trx));
    return { status: 'opted_in' };
  }

  return {
    /** Every topic × channel the registry offers, with the account's choice. */
    async listPreferences(accountId: string): Promise<{ topic: Topic; preferences: Preference[] }[]> {
      const [topics, rows] = await Promise.all([deps.registry.listTopics(), queries.listPreferenceRows(accountId)]);
      return topics.map((topic) => ({
        topic,
        preferences: topic.channels.map((channel) => {
          const row = rows.find((r) => r.topic === topic.id && r.channel === channel);
          return { topic: topic.id, channel, status: row?.status ?? 'none', source: row?.source ?? null, changedAt: row ? new Date(row.changed_at) : null };
        }),
      }));
    },
    async findPreference(accountId: string, topic: string, channel: Channel): Promise<Preference> {
      const row = await queries.findPreferenceRow(accountId, topic, channel);
      return { topic, channel, status: row?.status ?? 'none', source: row?.source ?? null, changedAt: row ? new Date(row.changed_at) : null };
    },
    /** Whether the account may be contacted about `topic` on `channel` now (a pending email opt-in: not yet). */
    async isContactAllowed(accountId: string, topic: string, channel: Channel): Promise<boolean> {
      return (await queries.findPreferenceRow(accountId, topic, channel))?.status === 'opted_in';
    },
    setPreference,
    sweepConfirmations: (limit: number): Promise<number> => queries.sweepConfirmations(limit),
    /** What a confirmation link is for, without using it (the page shows it with a button). */
    async describeConfirmation(token: string): Promise<{ topic: string; channel: string } | undefined> {
      const row = await queries.findLiveConfirmation(hashToken(token));
      if (!row) return undefined;
      const topic = (await deps.registry.listTopics()).find((t) => t.id === row.topic);
      return { topic: topic ? deps.registry.text(topic.texts, [currentLanguage()]).name : row.topic, channel: row.channel };
    },
    /** Follows the mailed link: the pending email opt-in becomes an opt-in. A used, expired or superseded link: 'gone'. */
    async confirm(token: string, address: string): Promise<{ status: 'ok' | 'gone' }> {
      const confirmed = await db.transaction(async (trx) => {
        const row = await queries.consumeConfirmation(hashToken(token), trx);
        if (!row) return undefined;
        // An opt-out (or another opt-in) since the mail was sent wins over an old link.
        const current = await queries.findPreferenceRow(row.account_id, row.topic, row.channel, trx);
        if (current?.status !== 'pending') return undefined;
        await record(row.account_id, row.topic, row.channel as Channel, 'opted_in', 'email-confirmation', address, trx);
        return row;
      });
      if (!confirmed) return { status: 'gone' };
      // The first mail about the topic says it started, with its one-click unsubscribe.
      const [account, topic] = await Promise.all([deps.accounts.findAccountById(confirmed.account_id), deps.registry.listTopics().then((all) => all.find((t) => t.id === confirmed.topic))]);
      if (account?.email && topic) await sendTopicMail(account.id, account.email, topic, {});
      return { status: 'ok' };
    },
    /** What an unsubscribe link is for (the page shows it with a button); undefined for a forged or broken one. */
    async describeUnsubscribe(token: string): Promise<{ topic: string; channel: string } | undefined> {
      const target = readUnsubscribeToken(token);
      const topic = target && (await deps.registry.listTopics()).find((t) => t.id === target.topic);
      return target && topic ? { topic: deps.registry.text(topic.texts, [currentLanguage()]).name, channel: target.channel } : undefined;
    },
    /** The link was used (its page's button, or a mail client's RFC 8058 one-click POST): opted out, in the ledger; again: unchanged. */
    async unsubscribe(token: string, address: string): Promise<{ status: 'opted_out' | 'unchanged' | 'gone' }> {
      const target = readUnsubscribeToken(token);
      if (!target || !(await deps.accounts.findAccountById(target.accountId))) return { status: 'gone' };
      // A topic or channel taken away since the mail was sent: nothing left to opt out of.
      const offered = (await deps.registry.listTopics()).some((t) => t.id === target.topic && t.channels.includes(target.channel));
      if (!offered) return { status: 'gone' };
      const { status } = await setPreference(target.accountId, { topic: target.topic, channel: target.channel, optIn: false }, { source: 'unsubscribe-link', address });
      return { status: status === 'opted_out' ? 'opted_out' : 'unchanged' };
    },
  };
}

export type Preferences = ReturnType<typeof createPreferences>;
