// Owns /admin/api/brands: brands (settings, colours checked for contrast), their logo (the image's bytes as
// the body, checked by sniffing them), template overrides (compiled before they are stored), and which
// brand an app belongs to.
import type { Context } from 'koa';
import { z } from 'zod';
import { brandSettingsSchema } from '../../brands/schema.ts';
import { brandJson, DEFAULT_BRAND, type BrandView } from '../../brands/view.ts';
import type { Brands } from '../../brands/service.ts';
import { LOGO_MAX_BYTES } from '../../brands/logo.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

const templateSchema = z.object({ name: z.string().min(1).max(200), source: z.string().max(20_000) }).strict();

/** The raw request body, refused with 413 once it passes `limit` bytes. */
export async function readBytes(ctx: Context, limit: number): Promise<Buffer> {
  if ((ctx.request.length ?? 0) > limit) throw new AppError('brand.logo_too_large', `The logo may be at most ${limit} bytes (256 KiB).`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('brand.logo_too_large', `The logo may be at most ${limit} bytes (256 KiB).`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function describe(brands: Brands, brand: BrandView) {
  const snapshot = await brands.current();
  const clients = [...snapshot.clientBrand].filter(([, b]) => b === brand.id).map(([c]) => c);
  return brandJson(brand, clients, [...(snapshot.templates.get(brand.id)?.keys() ?? [])]);
}

export const brandsSection: AdminSection = {
  id: 'brands',
  routes(router, { services: { brands, clients } }) {
    const id = (ctx: Context) => idParam(ctx, 'id', 'brand');
    router.get('/brands', async (ctx) => {
      ctx.body = { brands: await Promise.all((await brands.list()).map((b) => describe(brands, b))) };
    });
    router.get('/brands/:id', async (ctx) => {
      ctx.body = await describe(brands, await brands.find(id(ctx)));
    });
    router.put('/brands/:id', async (ctx) => {
      const { brand, created } = await brands.save(id(ctx), jsonBody(ctx, brandSettingsSchema));
      ctx.status = created ? 201 : 200;
      if (created) ctx.set('Location', `/admin/api/brands/${brand.id}`);
      ctx.body = await describe(brands, brand);
    });
    router.delete('/brands/:id', async (ctx) => {
      await brands.remove(id(ctx));
      ctx.status = 204;
    });
    router.put('/brands/:id/logo', async (ctx) => {
      const brandId = id(ctx);
      if (!ctx.is('image/*')) throw new AppError('brand.logo_type', 'Send the logo image itself as the body, with Content-Type image/png, image/jpeg or image/webp.', 415);
      ctx.body = await describe(brands, await brands.setLogo(brandId, await readBytes(ctx, LOGO_MAX_BYTES)));
    });
    router.delete('/brands/:id/logo', async (ctx) => {
      await brands.removeLogo(id(ctx));
      ctx.status = 204;
    });
    router.post('/brands/:id/templates', async (ctx) => {
      const brandId = id(ctx);
      const { name, source } = jsonBody(ctx, templateSchema);
      await brands.saveTemplate(brandId, name, source);
      ctx.body = await describe(brands, await brands.find(brandId));
    });
    router.delete('/brands/:id/templates/:name', async (ctx) => {
      await brands.removeTemplate(id(ctx), String(ctx.params.name));
      ctx.status = 204;
    });
    router.put('/brands/:id/clients/:clientId', async (ctx) => {
      const brandId = id(ctx);
      const clientId = idParam(ctx, 'clientId', 'client');
      if (!(await clients.showClient(clientId))) throw new AppError('client.not_found', 'There is no such client.', 404);
      await brands.assignClient(clientId, brandId);
      ctx.body = await describe(brands, await brands.find(brandId));
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    const one = json({ $ref: '#/components/schemas/Brand' });
    const refused = (what: string) => openApi.problem(what);
    return {
      schemas: {
        Brand: {
          type: 'object',
          properties: {
            id: { type: 'string' }, name: { type: 'string' }, logoUrl: { type: 'string' }, themeUrl: { type: 'string' },
            colours: { type: 'object', properties: { accent: { type: 'string' }, text: { type: 'string' }, background: { type: 'string' } } },
            font: { type: 'string' }, supportUrl: { type: 'string' }, privacyUrl: { type: 'string' }, defaultLanguage: { type: 'string' },
            mail: { type: 'object', properties: { fromName: { type: 'string' }, fromAddress: { type: 'string' } } },
            documents: { type: 'array', items: { type: 'string' } }, purposes: { type: 'array', items: { type: 'string' } }, topics: { type: 'array', items: { type: 'string' } },
            clients: { type: 'array', items: { type: 'string' } }, templates: { type: 'array', items: { type: 'string' } },
          },
        },
        BrandSettings: z.toJSONSchema(brandSettingsSchema, { io: 'input', unrepresentable: 'any' }),
        BrandTemplate: z.toJSONSchema(templateSchema, { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/brands': { get: { summary: `The brands (the ${DEFAULT_BRAND} brand always among them)`, responses: { 200: { description: 'The brands', ...json({ type: 'object', properties: { brands: { type: 'array', items: { $ref: '#/components/schemas/Brand' } } } }) }, ...errors } } },
        '/brands/{id}': {
          parameters: pathParams('id'),
          get: { summary: 'A brand', responses: { 200: { description: 'The brand', ...one }, ...errors, ...notFound('brand') } },
          put: {
            summary: 'Creates or replaces a brand; colours below 4.5:1 contrast are refused',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/BrandSettings' }) },
            responses: { 200: { description: 'Replaced', ...one }, 201: { description: 'Created', ...one }, ...errors, 409: refused('A purpose already belongs to another brand') },
          },
          delete: { summary: 'Removes a brand (its apps go back to the default brand)', responses: { 204: { description: 'Removed' }, ...errors, ...notFound('brand'), 409: refused('The default brand cannot be removed') } },
        },
        '/brands/{id}/logo': {
          parameters: pathParams('id'),
          put: {
            summary: 'Sets the logo: a PNG, JPEG or WebP image of at most 256 KiB as the body (SVG is refused)',
            requestBody: { required: true, content: { 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/jpeg': { schema: { type: 'string', format: 'binary' } }, 'image/webp': { schema: { type: 'string', format: 'binary' } } } },
            responses: { 200: { description: 'The brand', ...one }, ...errors, ...notFound('brand'), 413: refused('Larger than 256 KiB'), 415: refused('Not a PNG, JPEG or WebP image') },
          },
          delete: { summary: 'Removes the logo', responses: { 204: { description: 'Removed' }, ...errors, ...notFound('brand') } },
        },
        '/brands/{id}/templates': {
          parameters: pathParams('id'),
          post: {
            summary: 'Overrides one partial for this brand; it must compile and print nothing unescaped',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/BrandTemplate' }) },
            responses: { 200: { description: 'The brand', ...one }, ...errors, ...notFound('brand') },
          },
        },
        '/brands/{id}/templates/{name}': { parameters: pathParams('id', 'name'), delete: { summary: 'Removes an override (name URL-encoded)', responses: { 204: { description: 'Removed' }, ...errors, 404: refused('No such override') } } },
        '/brands/{id}/clients/{clientId}': {
          parameters: pathParams('id', 'clientId'),
          put: { summary: `Puts an app in this brand (the ${DEFAULT_BRAND} brand: takes it out of any other)`, responses: { 200: { description: 'The brand', ...one }, ...errors, ...notFound('brand or client') } },
        },
      },
    };
  },
};
