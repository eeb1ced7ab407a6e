// Owns /admin/api/purposes and /admin/api/topics: what Foyer processes data for (with its legal basis) and the
// communication topics customers choose about. Once the ledger holds records about one, what they rest on stays.
import type { Context } from 'koa';
import { z } from 'zod';
import { CHANNELS, purposeSchema } from '../../config/consent-schema.ts';
import type { Purpose, Topic } from '../../consent/registry/registry.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { LEGAL_BASES } from '../../config/consent-schema.ts';
import { issueMessage } from '../../i18n/zod.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

export const purposeInputSchema = purposeSchema.omit({ id: true }).strict();
export const topicInputSchema = z.object({ texts: purposeSchema.shape.texts, channels: z.array(z.enum(CHANNELS)).min(1) }).strict();

/** A path id the registry could hold (ids of new entries are stricter than the ids of other resources). */
function registryId(ctx: Context, what: string): string {
  const id = idParam(ctx, 'id', what);
  const parsed = purposeSchema.shape.id.safeParse(id);
  if (!parsed.success) throw new AppError('request.invalid', `id: ${issueMessage(parsed.error.issues[0]!)}`, 400);
  return parsed.data;
}

/** GET /purposes and /topics: by id. */
const purposeList = listSpec({
  q: filters.text('Part of the purpose id (any case)'),
  legal_basis: filters.oneOf(LEGAL_BASES, 'Only purposes resting on this legal basis'),
  needs_consent: filters.flag('Only purposes that need the customer\'s consent (true), or only the others (false)'),
});
const topicList = listSpec({
  q: filters.text('Part of the topic id (any case)'),
  channel: filters.oneOf(CHANNELS, 'Only topics offered on this channel'),
});

const purposeJson = (p: Purpose) => ({
  id: p.id, legalBasis: p.legalBasis, texts: p.texts, dataCategories: p.dataCategories, thirdPartyDisclosure: p.thirdPartyDisclosure,
  needsConsent: p.needsConsent, objectable: p.objectable,
});
const topicJson = (t: Topic) => ({ id: t.id, texts: t.texts, channels: t.channels });

const texts = { type: 'object', additionalProperties: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' } } }, description: 'Per locale' } as const;
const purpose = {
  type: 'object',
  properties: {
    id: { type: 'string' }, legalBasis: { type: 'string' }, texts, dataCategories: { type: 'array', items: { type: 'string' } }, thirdPartyDisclosure: { type: 'boolean' },
    needsConsent: { type: 'boolean', readOnly: true, description: 'Processing needs the customer\'s consent' }, objectable: { type: 'boolean', readOnly: true, description: 'The customer may object' },
  },
} as const;
const topic = { type: 'object', properties: { id: { type: 'string' }, texts, channels: { type: 'array', items: { enum: [...CHANNELS] } } } } as const;

export const purposesSection: AdminSection = {
  id: 'purposes',
  routes(router, { services: { consentRegistry } }) {
    router.get('/purposes', async (ctx) => {
      const query = purposeList.read(ctx);
      const found = (await consentRegistry.listPurposes()).filter((p) => matches(query.q, p.id) && (query.legal_basis === undefined || p.legalBasis === query.legal_basis)
        && (query.needs_consent === undefined || p.needsConsent === query.needs_consent));
      const page = pageOfList(found, (p) => ({ key: '', id: p.id }), query);
      ctx.body = { purposes: page.items.map(purposeJson), next_cursor: page.next_cursor };
    });
    router.get('/purposes/:id', async (ctx) => {
      const found = await consentRegistry.findPurpose(idParam(ctx, 'id', 'purpose'));
      if (!found) throw new AppError('purpose.not_found', 'There is no such purpose.', 404);
      ctx.body = purposeJson(found);
    });
    router.put('/purposes/:id', async (ctx) => {
      const id = registryId(ctx, 'purpose');
      const { purpose: saved, created } = await consentRegistry.savePurpose({ id, ...jsonBody(ctx, purposeInputSchema) });
      ctx.status = created ? 201 : 200;
      ctx.body = purposeJson(saved);
    });
    router.get('/topics', async (ctx) => {
      const query = topicList.read(ctx);
      const found = (await consentRegistry.listTopics()).filter((t) => matches(query.q, t.id) && (query.channel === undefined || t.channels.includes(query.channel)));
      const page = pageOfList(found, (t) => ({ key: '', id: t.id }), query);
      ctx.body = { topics: page.items.map(topicJson), next_cursor: page.next_cursor };
    });
    router.put('/topics/:id', async (ctx) => {
      const id = registryId(ctx, 'topic');
      const { topic: saved, created } = await consentRegistry.saveTopic({ id, ...jsonBody(ctx, topicInputSchema) });
      ctx.status = created ? 201 : 200;
      ctx.body = topicJson(saved);
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    const conflict = (what: string) => ({ 409: { description: what, ...openApi.problemContent } });
    return {
      schemas: {
        Purpose: purpose,
        PurposeInput: z.toJSONSchema(purposeInputSchema, { io: 'input', unrepresentable: 'any' }),
        Topic: topic,
        TopicInput: z.toJSONSchema(topicInputSchema, { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/purposes': {
          get: { summary: 'The purposes data is processed for, with their legal bases; by id, paged', parameters: purposeList.parameters, responses: { 200: { description: 'A page of purposes', ...json({ type: 'object', properties: { purposes: { type: 'array', items: { $ref: '#/components/schemas/Purpose' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
        },
        '/purposes/{id}': {
          parameters: pathParams('id'),
          get: { summary: 'One purpose', responses: { 200: { description: 'The purpose', ...json({ $ref: '#/components/schemas/Purpose' }) }, ...notFound('purpose'), ...errors } },
          put: {
            summary: 'Create a purpose, or change its texts, data categories and disclosure; once consent records exist its legal basis cannot change, nor may it start disclosing to third parties',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/PurposeInput' }) },
            responses: { 200: { description: 'Changed', ...json({ $ref: '#/components/schemas/Purpose' }) }, 201: { description: 'Created', ...json({ $ref: '#/components/schemas/Purpose' }) }, ...conflict('Records rest on the legal basis or the disclosure'), ...errors },
          },
        },
        '/topics': {
          get: { summary: 'The communication topics and their channels; by id, paged', parameters: topicList.parameters, responses: { 200: { description: 'A page of topics', ...json({ type: 'object', properties: { topics: { type: 'array', items: { $ref: '#/components/schemas/Topic' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
        },
        '/topics/{id}': {
          parameters: pathParams('id'),
          put: {
            summary: 'Create a topic, or change its texts and channels (a channel customers chose on stays)',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/TopicInput' }) },
            responses: { 200: { description: 'Changed', ...json({ $ref: '#/components/schemas/Topic' }) }, 201: { description: 'Created', ...json({ $ref: '#/components/schemas/Topic' }) }, ...conflict('Customers chose about a channel taken away'), ...errors },
          },
        },
      },
    };
  },
};
