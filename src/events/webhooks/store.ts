// Owns the webhooks table: the downstream systems an admin registered, which events and which profile fields
// each receives, and its signing secret (sealed with the secret box, shown once when made or rotated).
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { AppError } from '../../errors/app-error.ts';
import { describeIssue } from '../../i18n/zod.ts';
import type { SecretBox } from '../../security/envelope.ts';

/** `*`, a type (`profile.updated`) or a family (`account.*`). */
export const EVENT_PATTERN = /^(\*|[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?)$/;
const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/;

const webhookShape = {
  name: z.string().trim().min(1, 'schema.name.required').max(100),
  description: z.string().trim().max(500),
  url: z.url({ protocol: /^https?$/, error: 'schema.http_url' }).max(2000)
    .refine((u) => !new URL(u).username && !new URL(u).password, 'schema.webhook.credentials'),
  events: z.array(z.string().regex(EVENT_PATTERN, 'schema.webhook.event_pattern')).min(1).max(50),
  fields: z.array(z.string().regex(FIELD_KEY, 'schema.webhook.field_key')).max(100),
  enabled: z.boolean(),
};

export const webhookInputSchema = z.object({
  ...webhookShape,
  description: webhookShape.description.optional(),
  events: webhookShape.events.default(['*']),
  fields: webhookShape.fields.default([]),
  enabled: webhookShape.enabled.default(true),
}).strict();

/** A change: only what is given changes (no defaults). */
export const webhookChangeSchema = z.object(webhookShape).partial().strict();

export type WebhookInput = z.input<typeof webhookInputSchema>;

export interface Webhook {
  id: string;
  name: string;
  description: string | null;
  url: string;
  events: string[];
  fields: string[];
  enabled: boolean;
  /** Since when its deliveries keep failing (null while they succeed). */
  failingSince: Date | null;
  /** Why Foyer turned it off ('failing'), and when; null unless Foyer did. */
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface WebhookRow {
  id: string;
  name: string;
  description: string | null;
  url: string;
  secret_sealed: string;
  event_types: string[];
  fields: string[];
  enabled: boolean;
  failing_since: Date | null;
  disabled_reason: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id, name: row.name, description: row.description, url: row.url, events: row.event_types, fields: row.fields,
  enabled: row.enabled, failingSince: row.failing_since ? new Date(row.failing_since) : null, disabledReason: row.disabled_reason ?? null,
  disabledAt: row.disabled_at ? new Date(row.disabled_at) : null, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
});

/** The patterns an event type matches, for a jsonb "any of" test in SQL: `*`, the type, and each family. */
export function patternsMatching(type: string): string[] {
  const parts = type.split('.');
  return ['*', type, ...parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join('.')}.*`)];
}

/** Checks admin input; a problem is a 400 naming the field, e.g. "url: needs an http(s) URL". */
function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError('webhook.invalid', describeIssue(parsed.error.issues[0]!, 'webhook'), 400);
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function createWebhookStore(db: Db, box: SecretBox) {
  const context = (id: string) => `webhook:${id}`;
  return {
    /** Registers a downstream system; returns it with its signing secret, which is shown this once. */
    async addWebhook(input: WebhookInput): Promise<Webhook & { secret: string }> {
      const parsed = parseInput(webhookInputSchema, input);
      const id = `wh_${randomUUID().replaceAll('-', '')}`;
      const secret = newSecret();
      const [row] = await db('webhooks').insert({
        id, name: parsed.name, description: parsed.description ?? null, url: parsed.url, secret_sealed: box.encrypt(secret, context(id)),
        event_types: JSON.stringify([...new Set(parsed.events)]), fields: JSON.stringify([...new Set(parsed.fields)]), enabled: parsed.enabled,
      }).returning('*') as WebhookRow[];
      return { ...toWebhook(row!), secret };
    },
    async listWebhooks(): Promise<Webhook[]> {
      return (await db('webhooks').orderBy('created_at') as WebhookRow[]).map(toWebhook);
    },
    async findWebhook(id: string): Promise<Webhook | undefined> {
      const row = await db('webhooks').where({ id }).first() as WebhookRow | undefined;
      return row && toWebhook(row);
    },
    /** Changes what is given; unknown ids are a 404. */
    async updateWebhook(id: string, changes: Partial<WebhookInput>): Promise<Webhook> {
      const parsed = parseInput(webhookChangeSchema, changes);
      const update: Record<string, unknown> = { updated_at: db.fn.now() };
      if (parsed.name !== undefined) update.name = parsed.name;
      if (parsed.description !== undefined) update.description = parsed.description;
      if (parsed.url !== undefined) update.url = parsed.url;
      if (parsed.events !== undefined) update.event_types = JSON.stringify([...new Set(parsed.events)]);
      if (parsed.fields !== undefined) update.fields = JSON.stringify([...new Set(parsed.fields)]);
      if (parsed.enabled !== undefined) update.enabled = parsed.enabled;
      // Turned on (again) by an administrator: a new start, whatever Foyer turned it off for.
      if (parsed.enabled === true) Object.assign(update, { failing_since: null, disabled_reason: null, disabled_at: null });
      const [row] = await db('webhooks').where({ id }).update(update).returning('*') as WebhookRow[];
      if (!row) throw new AppError('webhook.not_found', `There is no webhook ${id}.`, 404);
      return toWebhook(row);
    },
    /** A new signing secret; the old one stops at once. */
    async rotateSecret(id: string): Promise<string> {
      const secret = newSecret();
      const changed = await db('webhooks').where({ id }).update({ secret_sealed: box.encrypt(secret, context(id)), updated_at: db.fn.now() });
      if (!changed) throw new AppError('webhook.not_found', `There is no webhook ${id}.`, 404);
      return secret;
    },
    /** Removes the webhook and its delivery log. */
    async removeWebhook(id: string): Promise<boolean> {
      return (await db('webhooks').where({ id }).delete()) > 0;
    },
    /** The signing secret, for the dispatcher only. */
    async secretOf(id: string): Promise<string | undefined> {
      const row = await db('webhooks').where({ id }).select('secret_sealed').first() as Pick<WebhookRow, 'secret_sealed'> | undefined;
      return row && box.decrypt(row.secret_sealed, context(id));
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
