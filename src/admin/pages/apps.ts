// Owns the apps pages under /admin/clients: the list, registering an app, editing one (redirect URIs, grant
// types, ID-token algorithm, token endpoint authentication with a JWKS URI for private_key_jwt, …), rotating its
// secret (shown once) and removing it, both behind a confirmation. Checked with the admin API's own schemas
// and operations (sections/clients.ts); every change is audited with the administrator as actor.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { CLIENT_MFA_POLICIES } from '../../authn/mfa/policy.ts';
import { GRANT_TYPES } from '../../clients/rules.ts';
import { ID_TOKEN_ALGS, TOKEN_AUTH_METHODS } from '../../clients/input.ts';
import { ADMIN_CLIENT_ID, PORTAL_CLIENT_ID } from '../../clients/own-pages.ts';
import type { ClientView } from '../../oidc/clients.ts';
import { changeClient, clientChangeSchema, clientInputSchema, registerClient, rotateClientSecret } from '../sections/clients.ts';
import { auditPageChange, checked, checkForm, confirmed, FormRefused, refusalsOf, words, type FormError, type PageTools } from './forms.ts';

const MEMBERS = [
  'client_id', 'public', 'client_secret', 'client_name', 'redirect_uris', 'post_logout_redirect_uris', 'scope', 'grant_types', 'first_party', 'backchannel_logout_uri',
  'mfa', 'documents', 'connectors', 'profile_required', 'profile_optional', 'profile_per_visit', 'id_token_signed_response_alg', 'token_endpoint_auth_method', 'jwks_uri',
] as const;
const LISTS = ['redirect_uris', 'post_logout_redirect_uris', 'documents', 'profile_required', 'profile_optional'] as const;
const URIS = ['backchannel_logout_uri', 'jwks_uri'] as const;
const CHOICES = ['mfa', 'id_token_signed_response_alg', 'token_endpoint_auth_method'] as const;
const OWN = new Set([PORTAL_CLIENT_ID, ADMIN_CLIENT_ID]);
const CLIENT_ID = /^[\w.:-]{1,200}$/;

/**
 * The API's JSON body from the form: a member is sent only when its input was on the form. On a new app an
 * empty box is left out (the API's default applies); on an edit it clears the value.
 */
function bodyOf(form: URLSearchParams, creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const text = (name: string) => form.get(name)?.trim() ?? '';
  const put = (name: string, value: unknown, empty: boolean) => {
    if (form.has(name) && !(creating && empty)) body[name] = value;
  };
  if (creating) {
    body.client_id = text('client_id');
    body.public = form.get('public') === 'yes';
    if (text('client_secret')) body.client_secret = text('client_secret');
  }
  put('client_name', text('client_name'), !text('client_name'));
  for (const name of LISTS) put(name, words(form.get(name)), !text(name));
  put('scope', text('scope'), !text('scope'));
  put('grant_types', checked(form, 'grant_types'), !checked(form, 'grant_types').length);
  put('first_party', checked(form, 'first_party').includes('yes'), false);
  for (const name of URIS) put(name, text(name) || null, !text(name));
  put('connectors', text('connectors') ? words(form.get('connectors')) : null, !text('connectors'));
  for (const name of CHOICES) if (text(name)) put(name, text(name), false);
  if (creating && body.public === true) delete body.token_endpoint_auth_method;
  if (text('profile_per_visit')) put('profile_per_visit', /^\d{1,6}$/.test(text('profile_per_visit')) ? Number(text('profile_per_visit')) : text('profile_per_visit'), false);
  return body;
}

/** What the form's boxes show for a client (or for what was typed, after a refusal). */
function formValues(c: ClientView | undefined, typed?: URLSearchParams) {
  if (typed) {
    const v = Object.fromEntries(MEMBERS.map((m) => [m, (typed.get(m) ?? '').slice(0, 4000)]));
    return { ...v, grant_types: checked(typed, 'grant_types'), first_party: checked(typed, 'first_party').includes('yes'), public: typed.has('public') ? typed.get('public') === 'yes' : c?.token_endpoint_auth_method === 'none' };
  }
  if (!c) return { grant_types: ['authorization_code', 'refresh_token'], id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic', mfa: 'optional', scope: 'openid email profile' };
  return {
    ...c, redirect_uris: c.redirect_uris.join('\n'), post_logout_redirect_uris: c.post_logout_redirect_uris.join('\n'), documents: c.documents.join(' '),
    profile_required: c.profile_required.join(' '), profile_optional: c.profile_optional.join(' '), connectors: c.connectors?.join(' ') ?? '',
    profile_per_visit: c.profile_per_visit === null ? '' : String(c.profile_per_visit), public: c.token_endpoint_auth_method === 'none',
  };
}

const CHOICE_LISTS = { grantTypes: GRANT_TYPES, mfaPolicies: CLIENT_MFA_POLICIES, idTokenAlgs: ID_TOKEN_ALGS, tokenAuthMethods: TOKEN_AUTH_METHODS };

export function registerAppPages(pages: Router, tools: PageTools): void {
  const { deps, render, done, notice } = tools;
  const { services } = deps;
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such app.' }, 404);
  const idOf = (ctx: Context) => (CLIENT_ID.test(String(ctx.params.id)) ? String(ctx.params.id) : '');
  const changed = async () => deps.onProtocolChanged?.();
  const newForm = (ctx: Context, extra: { errors?: FormError[]; typed?: URLSearchParams } = {}, status = 200) => render(ctx, 'admin/client-form', {
    title: 'Register an app', creating: true, action: '/admin/clients/new', form: formValues(undefined, extra.typed), errors: extra.errors, ...CHOICE_LISTS,
  }, status);
  const editForm = (ctx: Context, client: ClientView, extra: { errors?: FormError[]; typed?: URLSearchParams } = {}, status = 200) => render(ctx, 'admin/client-form', {
    title: `App ${client.client_id}`, client, notice: notice(ctx), own: OWN.has(client.client_id), action: `/admin/clients/${encodeURIComponent(client.client_id)}/edit`,
    form: formValues(client, extra.typed), errors: extra.errors, confidential: client.token_endpoint_auth_method !== 'none' && client.token_endpoint_auth_method !== 'private_key_jwt', ...CHOICE_LISTS,
  }, status);
  const secretPage = (ctx: Context, clientId: string, secret: string, what: string) => render(ctx, 'admin/client-secret', { title: `${what}: ${clientId}`, clientId, secret });

  pages.get('/clients', async (ctx) => {
    const clients = await services.clients.listClients();
    render(ctx, 'admin/clients', {
      title: 'Apps', notice: notice(ctx),
      clients: clients.map((c) => ({
        ...c, kind: c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential', grants: c.grant_types.join(', '), redirects: c.redirect_uris.join(' '),
        tokenAuth: c.token_endpoint_auth_method === 'none' ? 'none (PKCE)' : c.token_endpoint_auth_method, href: `/admin/clients/${encodeURIComponent(c.client_id)}/edit`,
      })),
    });
  });
  pages.get('/clients/new', (ctx) => newForm(ctx));
  pages.post('/clients/new', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    let created: ClientView | undefined;
    const refused = await refusalsOf(async () => {
      const input = checkForm(clientInputSchema, bodyOf(form, true));
      if (!input.ok) throw new FormRefused(input.errors);
      created = await registerClient(services, input.value);
    }, 'client', MEMBERS);
    if (refused || !created) return newForm(ctx, { errors: refused?.errors, typed: form }, refused?.status ?? 400);
    await changed();
    await auditPageChange(deps, ctx, '/admin/clients/new', { id: created.client_id });
    if (created.client_secret) return secretPage(ctx, created.client_id, created.client_secret, 'Registered');
    done(ctx, `/admin/clients/${encodeURIComponent(created.client_id)}/edit`, 'Registered.');
  });
  pages.get('/clients/:id/edit', async (ctx) => {
    const client = await services.clients.showClient(idOf(ctx));
    if (!client) return missing(ctx);
    editForm(ctx, client);
  });
  pages.post('/clients/:id/edit', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const client = await services.clients.showClient(idOf(ctx));
    if (!client) return missing(ctx);
    let updated: ClientView | undefined;
    const refused = await refusalsOf(async () => {
      const input = checkForm(clientChangeSchema, bodyOf(form, false));
      if (!input.ok) throw new FormRefused(input.errors);
      updated = await changeClient(services, client.client_id, input.value);
    }, 'client', MEMBERS);
    if (refused || !updated) return editForm(ctx, client, { errors: refused?.errors, typed: form }, refused?.status ?? 400);
    await changed();
    await auditPageChange(deps, ctx, '/admin/clients/:id/edit', { id: client.client_id });
    // Moving from private_key_jwt to a secret method made a secret: this is the only time it is shown.
    if (updated.client_secret) return secretPage(ctx, client.client_id, updated.client_secret, 'Saved, with a new secret');
    done(ctx, `/admin/clients/${encodeURIComponent(client.client_id)}/edit`, 'Saved.');
  });
  pages.post('/clients/:id/rotate-secret', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const client = await services.clients.showClient(idOf(ctx));
    if (!client) return missing(ctx);
    const path = `/admin/clients/${encodeURIComponent(client.client_id)}`;
    if (!confirmed(tools, ctx, form, { title: `Rotate the secret of ${client.client_id}?`, consequence: 'A new secret is made and shown once; the current one stops working at once, so the app must be given the new one.', action: `${path}/rotate-secret`, button: 'Yes, rotate the secret', cancel: `${path}/edit` })) return;
    let secret = '';
    const refused = await refusalsOf(async () => {
      secret = await rotateClientSecret(services, client.client_id);
    }, 'client', MEMBERS);
    if (refused) return editForm(ctx, client, { errors: refused.errors }, refused.status);
    await auditPageChange(deps, ctx, '/admin/clients/:id/rotate-secret', { id: client.client_id });
    secretPage(ctx, client.client_id, secret, 'New secret');
  });
  pages.post('/clients/:id/remove', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const client = await services.clients.showClient(idOf(ctx));
    if (!client) return missing(ctx);
    const path = `/admin/clients/${encodeURIComponent(client.client_id)}`;
    if (OWN.has(client.client_id)) return editForm(ctx, client, { errors: [{ message: `${client.client_id} is Foyer's own client: it cannot be removed.`, href: '#client-form' }] }, 409);
    if (!confirmed(tools, ctx, form, { title: `Remove ${client.client_id}?`, consequence: 'The app is removed with its grants and tokens: its customers are signed out of it and it can no longer sign anyone in.', action: `${path}/remove`, button: 'Yes, remove the app', cancel: `${path}/edit` })) return;
    await services.clients.removeClient(client.client_id);
    await changed();
    await auditPageChange(deps, ctx, '/admin/clients/:id/remove', { id: client.client_id });
    done(ctx, '/admin/clients', `Removed ${client.client_id}.`);
  });
}
