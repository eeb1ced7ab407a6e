// Owns /admin/api/profile-fields: the profile schema (fields, their order, how each is asked and released).
// A change reaches the running Provider at once (custom scopes and claims are fixed at its construction).
import { z } from 'zod';
import { fieldKeySchema, profileFieldSchema } from '../../config/profile-fields.ts';
import { jsonBody } from '../../http/json-body.ts';
import { fieldChangeSchema, type AdminFieldView } from '../../profile/field-admin.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

const fieldJson = (f: AdminFieldView) => ({ key: f.key, position: f.position, claimName: f.claimName, values: f.values, definition: f.definition });

/** A definition for the key in the path: the body may leave the key out, or repeat it. */
const definitionFor = (key: string) => z.preprocess(
  (body) => (body && typeof body === 'object' && !Array.isArray(body) && !('key' in body) ? { ...body, key } : body),
  profileFieldSchema.refine((d) => d.key === key, { path: ['key'], error: 'schema.profile_field.key_in_path', params: { key } }),
);

const reorderSchema = z.object({
  keys: z.array(fieldKeySchema).min(1).max(500).refine((keys) => new Set(keys).size === keys.length, 'schema.profile_field.key_twice'),
}).strict();

/** GET /profile-fields: in their order. */
const fieldList = listSpec({
  q: filters.text('Part of the field key or claim name (any case)'),
  enabled: filters.flag('Only enabled fields (true), or only disabled ones (false)'),
});
// Positions sort as text: pad them.
const positionKey = (position: number) => String(position).padStart(10, '0');

const field = {
  type: 'object',
  properties: {
    key: { type: 'string' }, position: { type: 'integer' }, claimName: { type: 'string', description: 'The claim an app receives the value under' },
    values: { type: 'integer', description: 'Accounts holding a value' }, definition: { $ref: '#/components/schemas/ProfileFieldDefinition' },
  },
} as const;

export const profileFieldsSection: AdminSection = {
  id: 'profile-fields',
  routes(router, { services: { profileFields }, onProtocolChanged }) {
    const key = (ctx: Parameters<typeof idParam>[0]) => idParam(ctx, 'key', 'profile field');
    const changed = async () => onProtocolChanged?.();
    router.get('/profile-fields', async (ctx) => {
      const query = fieldList.read(ctx);
      const found = (await profileFields.list()).filter((f) => matches(query.q, f.key, f.claimName) && (query.enabled === undefined || (f.definition.enabled !== false) === query.enabled));
      const page = pageOfList(found, (f) => ({ key: positionKey(f.position), id: f.key }), query);
      ctx.body = { fields: page.items.map(fieldJson), next_cursor: page.next_cursor };
    });
    router.get('/profile-fields/:key', async (ctx) => {
      ctx.body = fieldJson(await profileFields.find(key(ctx)));
    });
    router.put('/profile-fields/:key', async (ctx) => {
      const id = key(ctx);
      const { field: saved, created } = await profileFields.define(jsonBody(ctx, definitionFor(id)));
      await changed();
      ctx.status = created ? 201 : 200;
      if (created) ctx.set('Location', `/admin/api/profile-fields/${id}`);
      ctx.body = fieldJson(saved);
    });
    router.patch('/profile-fields/:key', async (ctx) => {
      const id = key(ctx);
      const changes = jsonBody(ctx, fieldChangeSchema.refine((c) => Object.keys(c).length > 0, 'schema.change.empty_setting'));
      const saved = await profileFields.change(id, changes);
      await changed();
      ctx.body = fieldJson(saved);
    });
    router.delete('/profile-fields/:key', async (ctx) => {
      await profileFields.remove(key(ctx));
      await changed();
      ctx.status = 204;
    });
    router.post('/profile-fields/reorder', async (ctx) => {
      const fields = await profileFields.reorder(jsonBody(ctx, reorderSchema).keys);
      await changed();
      ctx.body = { fields: fields.map(fieldJson) };
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    const conflict = (what: string) => ({ 409: { description: what, ...openApi.problemContent } });
    const one = { $ref: '#/components/schemas/ProfileField' };
    const many = json({ type: 'object', properties: { fields: { type: 'array', items: { $ref: '#/components/schemas/ProfileField' } } } });
    return {
      schemas: {
        ProfileField: field,
        ProfileFieldDefinition: z.toJSONSchema(profileFieldSchema, { io: 'input', unrepresentable: 'any' }),
        ProfileFieldChange: z.toJSONSchema(fieldChangeSchema, { io: 'input', unrepresentable: 'any' }),
        ProfileFieldOrder: z.toJSONSchema(reorderSchema, { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/profile-fields': {
          get: {
            summary: 'The profile fields in order, disabled ones included; paged', parameters: fieldList.parameters,
            responses: { 200: { description: 'A page of fields', ...json({ type: 'object', properties: { fields: { type: 'array', items: { $ref: '#/components/schemas/ProfileField' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors },
          },
        },
        '/profile-fields/{key}': {
          parameters: pathParams('key'),
          get: { summary: 'One profile field', responses: { 200: { description: 'The field', ...json(one) }, ...notFound('profile field'), ...errors } },
          put: {
            summary: 'Define a field, or replace its definition (it keeps its place); the key may be left out of the body',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ProfileFieldDefinition' }) },
            responses: { 200: { description: 'Replaced', ...json(one) }, 201: { description: 'Defined', ...json(one) }, ...conflict('The type of a field with values, a claim another field has, or a scope clients still hold'), ...errors },
          },
          patch: {
            summary: 'Change some settings (enabled, label, ask, priority, …); a disabled field keeps its values but is never asked or released',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ProfileFieldChange' }) },
            responses: { 200: { description: 'Changed', ...json(one) }, ...notFound('profile field'), ...conflict('A claim another field has, or a scope clients still hold'), ...errors },
          },
          delete: { summary: 'Remove a field no account holds a value of and nothing names (else disable it)', responses: { 204: { description: 'Removed' }, ...notFound('profile field'), ...conflict('Accounts hold values, or a webhook or client names it'), ...errors } },
        },
        '/profile-fields/reorder': {
          post: {
            summary: 'Put these fields first, in this order; the others follow as they were',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ProfileFieldOrder' }) },
            responses: { 200: { description: 'The fields in their new order', ...many }, ...errors },
          },
        },
      },
    };
  },
};
