// Owns the social-login pages under /admin: list the connectors, add one, change its settings, replace its
// secret and turn it off or on, in the same table the journey reads, checked with the admin API's schemas.
// Secrets go in through password fields and are never shown again; turning a connector off is confirmed first.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AdminConnector } from '../../authn/federation/connector-store.ts';
import { CONNECTOR_KIND_NAMES, connectorChangeSchema, connectorSchema, connectorSecretSchema } from '../../config/connector-schema.ts';
import { isAppError } from '../../errors/app-error.ts';
import { connectorChange, connectorExists } from '../sections/connectors.ts';
import { checkForm, drawForm, fieldOfMessage, formValues, given, type EditTools, type FieldError, type FieldSpec, type FormValues, words } from './forms.ts';

const SETTINGS: FieldSpec[] = [
  { name: 'name', label: 'Button name (Continue with …)' },
  { name: 'clientId', label: 'Client id at the upstream', required: true },
  { name: 'issuer', label: 'Issuer (oidc: discovered from it)', kind: 'url' },
  { name: 'authorizationEndpoint', label: 'Authorization endpoint (oauth2)', kind: 'url' },
  { name: 'tokenEndpoint', label: 'Token endpoint (oauth2)', kind: 'url' },
  { name: 'userinfoEndpoint', label: 'Userinfo endpoint (oauth2)', kind: 'url' },
  { name: 'scopes', label: 'Scopes (space-separated; empty: the kind\'s own)' },
  { name: 'tenant', label: 'Tenant (microsoft: common, organizations, consumers or a tenant id)' },
  { name: 'teamId', label: 'Team id (apple)' },
  { name: 'keyId', label: 'Key id (apple)' },
];
const SECRETS: FieldSpec[] = [
  { name: 'clientSecret', label: 'Client secret (sealed; never shown again)', kind: 'password' },
  { name: 'privateKey', label: 'Private key, PEM (apple; sealed; never shown again)', kind: 'textarea' },
];
const CREATE_FIELDS: FieldSpec[] = [
  { name: 'id', label: 'Id (lower-case letters, digits, - or _; cannot change later)', required: true },
  { name: 'kind', label: 'Kind', kind: 'select', options: CONNECTOR_KIND_NAMES },
  ...SETTINGS, ...SECRETS,
];

const settingsBody = (v: FormValues) => Object.fromEntries(SETTINGS.map((f) => [f.name, f.name === 'scopes' ? (words(v.scopes).length ? words(v.scopes) : undefined) : given(v[f.name])]).filter(([, value]) => value !== undefined));
const secretsBody = (v: FormValues) => Object.fromEntries(SECRETS.map((f) => [f.name, given(v[f.name])]).filter(([, value]) => value !== undefined));
/** Values to fill a form again: never a secret. */
const withoutSecrets = (v: FormValues): FormValues => ({ ...v, clientSecret: undefined, privateKey: undefined });
const settingsValues = (c: AdminConnector): FormValues => Object.fromEntries(SETTINGS.map((f) => {
  const value = f.name === 'name' ? c.name : c.settings[f.name];
  return [f.name, Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : undefined];
}));

export function registerConnectorPages(pages: Router, tools: EditTools): void {
  const { deps: { services: { connectorStore, connectors }, csrf }, render, done, notice, audit } = tools;
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such connector.' }, 404);
  const find = async (ctx: Context) => connectorStore.findAdminConnector(String(ctx.params.id).slice(0, 100));
  /** A store change; its refusals (what a kind still needs, a taken id) come back as field errors. */
  const attempt = async (run: () => Promise<AdminConnector>): Promise<{ saved?: AdminConnector; errors: FieldError[]; status: number }> => {
    try {
      return { saved: await run(), errors: [], status: 200 };
    } catch (error) {
      if (!isAppError(error) || !error.expose || error.status === 404) throw error;
      return { errors: [{ field: error.code === 'connector.exists' ? 'id' : fieldOfMessage(error.message), message: error.message }], status: error.status };
    }
  };

  const listPage = async (ctx: Context, values: FormValues = { kind: 'oidc' }, errors: FieldError[] = [], status = 200) => {
    await connectors.ready();
    render(ctx, 'admin/edit/connectors', {
      title: 'Social login', notice: notice(ctx),
      connectors: (await connectorStore.listAdminConnectors()).map((c) => ({ id: c.id, kind: c.kind, name: c.name, enabled: c.enabled, usable: c.usable, secret: c.hasClientSecret || c.hasPrivateKey })),
      form: drawForm('new-connector', CREATE_FIELDS, withoutSecrets(values), errors),
    }, status);
  };
  const connectorPage = (ctx: Context, c: AdminConnector, forms: { settings?: [FormValues, FieldError[]]; secret?: FieldError[] } = {}, status = 200) => {
    render(ctx, 'admin/edit/connector', {
      title: c.name, notice: notice(ctx), connector: { id: c.id, kind: c.kind, enabled: c.enabled, usable: c.usable, hasClientSecret: c.hasClientSecret, hasPrivateKey: c.hasPrivateKey },
      settingsAction: `/admin/connectors/${c.id}`, secretAction: `/admin/connectors/${c.id}/rotate-secret`,
      settingsForm: drawForm('connector-settings', SETTINGS, forms.settings?.[0] ?? settingsValues(c), forms.settings?.[1]),
      secretForm: drawForm('connector-secret', SECRETS, {}, forms.secret),
    }, status);
  };

  pages.get('/connectors', (ctx) => listPage(ctx));
  pages.post('/connectors', async (ctx) => {
    const values = formValues(csrf.verifiedForm(ctx), CREATE_FIELDS);
    const checked = checkForm(connectorSchema, { id: values.id ?? '', kind: values.kind ?? '', enabled: true, ...settingsBody(values), ...secretsBody(values) });
    if (!checked.ok) return listPage(ctx, values, checked.errors, 400);
    const outcome = await attempt(() => connectorChange(() => connectorStore.createConnector(checked.value), () => connectorExists(checked.value.id)));
    if (!outcome.saved) return listPage(ctx, values, outcome.errors, outcome.status);
    await audit(ctx, '/admin/connectors', { id: outcome.saved.id });
    done(ctx, `/admin/connectors/${outcome.saved.id}`, 'Connector added.');
  });
  pages.get('/connectors/:id', async (ctx) => {
    const found = await find(ctx);
    if (!found) return missing(ctx);
    connectorPage(ctx, found);
  });
  pages.post('/connectors/:id', async (ctx) => {
    const form = csrf.verifiedForm(ctx);
    const found = await find(ctx);
    if (!found) return missing(ctx);
    const values = formValues(form, SETTINGS);
    const checked = checkForm(connectorChangeSchema, settingsBody(values));
    if (!checked.ok) return connectorPage(ctx, found, { settings: [values, checked.errors] }, 400);
    const outcome = await attempt(() => connectorChange(() => connectorStore.updateConnector(found.id, checked.value)));
    if (!outcome.saved) return connectorPage(ctx, found, { settings: [values, outcome.errors] }, outcome.status);
    await audit(ctx, '/admin/connectors/:id', { id: found.id });
    done(ctx, `/admin/connectors/${found.id}`, 'Saved.');
  });
  pages.post('/connectors/:id/rotate-secret', async (ctx) => {
    const form = csrf.verifiedForm(ctx);
    const found = await find(ctx);
    if (!found) return missing(ctx);
    const checked = checkForm(connectorSecretSchema, secretsBody(formValues(form, SECRETS)), () => 'clientSecret');
    if (!checked.ok) return connectorPage(ctx, found, { secret: checked.errors }, 400);
    const outcome = await attempt(() => connectorChange(() => connectorStore.replaceConnectorSecrets(found.id, checked.value)));
    if (!outcome.saved) return connectorPage(ctx, found, { secret: outcome.errors }, outcome.status);
    await audit(ctx, '/admin/connectors/:id/rotate-secret', { id: found.id });
    done(ctx, `/admin/connectors/${found.id}`, 'Secret replaced; the old one is forgotten.');
  });
  pages.post('/connectors/:id/:action', async (ctx) => {
    const form = csrf.verifiedForm(ctx);
    const action = String(ctx.params.action);
    const found = await find(ctx);
    if (!found || (action !== 'enable' && action !== 'disable')) return missing(ctx);
    if (action === 'disable' && form.get('confirm') !== 'yes') {
      return render(ctx, 'admin/edit/confirm', {
        title: `Turn off ${found.name}?`, action: `/admin/connectors/${found.id}/disable`, button: 'Yes, turn it off', cancel: `/admin/connectors/${found.id}`,
        text: 'Its button leaves every sign-in page at once. Customers who signed up with it keep their accounts and sign in another way (a password reset, an email code) until it is turned on again.',
      });
    }
    await connectorStore.setConnectorEnabled(found.id, action === 'enable');
    await audit(ctx, `/admin/connectors/:id/${action}`, { id: found.id });
    done(ctx, `/admin/connectors/${found.id}`, action === 'enable' ? 'Turned on: its button is back.' : 'Turned off: its button is gone.');
  });
}
