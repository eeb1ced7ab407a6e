// Owns what each `foyer` command does, given the services: the same code runs in the CLI process or,
// when the server holds the embedded database, inside the server (handed over the control socket).
import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ADMIN_ROLES, isAdminRole } from '../accounts/admins.ts';
import { emailSchema } from '../accounts/email-address.ts';
import { CLIENT_MFA_POLICIES, parseClientMfaPolicy } from '../authn/mfa/policy.ts';
import { checkPassword, describePasswordProblem } from '../authn/password/policy.ts';
import type { Services } from '../compose.ts';
import { migrateLatest } from '../db/migrate.ts';
import { isAppError } from '../errors/app-error.ts';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE, clientInputProblem, clientRuleLookups, GRANT_TYPES, httpUrlSchema, MIN_CLIENT_SECRET_LENGTH, SCOPE_NAME, type NamedClientField } from '../clients/rules.ts';
import { ClientExistsError, ID_TOKEN_ALGS, TOKEN_AUTH_METHODS, type ClientInput, type IdTokenAlg, type TokenAuthMethod } from '../clients/input.ts';
import { deliveryJson, webhookJson } from '../events/webhooks/view.ts';
import { DocumentVersionExistsError, UnknownDocumentError, type DocumentVersionInfo } from '../consent/registry/registry.ts';
import { documentVersionSchema } from '../config/consent-schema.ts';
import { DEFAULT_LANGUAGE } from '../i18n/languages.ts';
import { translate } from '../i18n/translate.ts';
import { issueMessage } from '../i18n/zod.ts';
import type { ErasureStatus } from '../privacy/erasure.ts';
import { clientProfileMetadataProblem } from '../profile/client-needs.ts';
import { exportCustomers, importCustomers, type ImportSource } from './customer-commands.ts';
import { rotateSigningKeys } from '../admin/sections/keys.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandEnv {
  services: Services;
  /** Called after signing keys change, so a running server picks them up at once. */
  onKeysChanged?: () => Promise<void>;
  readStdin?: () => Promise<string>;
  /** `users import FILE`: the file, streaming in (from disk, or over the control socket). */
  importSource?: ImportSource;
  /** `users export --format jsonl`: where the lines go (standard output, a file, or the control socket). */
  exportSink?: Writable;
  /** Who runs the command, as the audit log names it; `cli:<OS user>` when not given. */
  actor?: string;
}

class UsageError extends Error {}

const USAGE = `usage: foyer <command> [--json]
  migrate
  clients add --client-id ID --redirect-uri URI [--redirect-uri URI ...] [--post-logout-redirect-uri URI] [--public | --secret SECRET]
              [--scope "openid email profile ..."] [--grant-type T ...] [--name NAME] [--first-party] [--backchannel-logout-uri URI]
              [--mfa off|optional|required] [--document ID ...] [--profile-required FIELD ...] [--profile-optional FIELD ...] [--profile-per-visit N] [--connector ID ...]
              [--id-token-alg ES256|RS256] [--token-auth client_secret_basic|client_secret_post|private_key_jwt] [--jwks-uri URI]
  clients list | clients show ID | clients remove ID
  users add --email EMAIL [--password PASSWORD | --password-stdin] [--verified]
  users list | users show EMAIL
  users export EMAIL | users erase EMAIL [--now] | users cancel-erasure EMAIL | users restrict EMAIL [--lift]
  users import FILE [--format jsonl|csv] | users export --format jsonl [--output FILE]
  resources add --id URI --scope "read write ..." | resources list | resources remove URI
  keys rotate
  documents list | documents publish --document ID --version V [--editorial] [--url URL] [--published-at ISO-TIME]
  purposes list
  brands list | brands assign BRAND CLIENT_ID
  webhooks add --name NAME --url URL [--event TYPE ...] [--field FIELD ...] [--description TEXT] [--disabled]
  webhooks list | webhooks show ID | webhooks remove ID | webhooks rotate-secret ID
  webhooks enable ID | webhooks disable ID | webhooks redeliver DELIVERY_ID
  admins add EMAIL [--role viewer|operator|owner] | admins list | admins remove EMAIL`;

const urlSchema = httpUrlSchema();

/** How `clients add` names the fields the rules across fields speak of. */
const CLIENT_FLAGS: Record<NamedClientField, string> = {
  public: '--public', secret: '--secret', redirectUris: '--redirect-uri', documents: '--document', connectors: '--connector',
  tokenAuthMethod: '--token-auth', jwksUri: '--jwks-uri',
};

/** A flag whose value must be one of `allowed`, or undefined when not given. */
function oneOf<T extends string>(values: ParsedValues, flag: string, allowed: readonly T[]): T | undefined {
  const value = values[flag];
  if (value === undefined) return undefined;
  if (!(allowed as readonly unknown[]).includes(value)) throw new UsageError(`--${flag}: "${String(value)}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(args: string[], options: ParseArgsConfig['options']): { values: ParsedValues; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function requireUrl(value: string, flag: string): string {
  if (!urlSchema.safeParse(value).success) throw new UsageError(`${flag}: "${value}" is not an http(s) URL`);
  return value;
}

function requireWebhookId(args: string[]): string {
  const id = parse(args, {}).positionals[0];
  if (!id) throw new UsageError('give the webhook id (see webhooks list)');
  return id;
}

/**
 * `streamed`: the command wrote its output to env.exportSink; its text is a note for standard error.
 * `audit`: what the change was about (the account, or another target's id), for the audit log.
 */
type Handler = (args: string[], env: CommandEnv) => Promise<{ json: unknown; text: string; streamed?: boolean; audit?: { accountId?: string; target?: string } }>;

const table = (rows: Record<string, unknown>[], keys: string[]) =>
  rows.length === 0 ? '(none)' : rows.map((row) => keys.map((k) => String(row[k] ?? '')).join('\t')).join('\n');

const handlers: Record<string, Handler> = {
  async migrate(_args, { services }) {
    const applied = await migrateLatest(services.db);
    return { json: { applied }, text: applied.length ? `applied ${applied.join(', ')}` : 'database is up to date' };
  },

  async 'clients add'(args, { services }) {
    const { values } = parse(args, {
      'client-id': { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true }, 'post-logout-redirect-uri': { type: 'string', multiple: true },
      public: { type: 'boolean' }, secret: { type: 'string' }, scope: { type: 'string' }, 'grant-type': { type: 'string', multiple: true },
      name: { type: 'string' }, 'first-party': { type: 'boolean' }, 'backchannel-logout-uri': { type: 'string' }, mfa: { type: 'string' },
      document: { type: 'string', multiple: true },
      'profile-required': { type: 'string', multiple: true }, 'profile-optional': { type: 'string', multiple: true }, 'profile-per-visit': { type: 'string' },
      connector: { type: 'string', multiple: true },
      'id-token-alg': { type: 'string' }, 'token-auth': { type: 'string' }, 'jwks-uri': { type: 'string' },
    });
    const profile = profileFlags(values);
    const clientId = values['client-id'] as string | undefined;
    if (!clientId || !CLIENT_ID_PATTERN.test(clientId)) throw new UsageError(`--client-id is required: ${translate(DEFAULT_LANGUAGE, CLIENT_ID_RULE)}`);
    const grantTypes = (values['grant-type'] as string[] | undefined) ?? [];
    for (const g of grantTypes) if (!(GRANT_TYPES as readonly string[]).includes(g)) throw new UsageError(`--grant-type: "${g}" is not one of ${GRANT_TYPES.join(', ')}`);
    const redirectUris = ((values['redirect-uri'] as string[] | undefined) ?? []).map((u) => requireUrl(u, '--redirect-uri'));
    const mfa = values.mfa === undefined ? undefined : parseClientMfaPolicy(values.mfa);
    if (values.mfa !== undefined && !mfa) throw new UsageError(`--mfa: "${String(values.mfa)}" is not one of ${CLIENT_MFA_POLICIES.join(', ')}`);
    const secret = values.secret as string | undefined;
    if (secret !== undefined && !values.public && secret.length < MIN_CLIENT_SECRET_LENGTH) throw new UsageError(`--secret must be at least ${MIN_CLIENT_SECRET_LENGTH} characters`);
    const input: ClientInput = {
      clientId, name: values.name as string | undefined, redirectUris, public: Boolean(values.public), secret,
      postLogoutRedirectUris: ((values['post-logout-redirect-uri'] as string[] | undefined) ?? []).map((u) => requireUrl(u, '--post-logout-redirect-uri')),
      scope: values.scope as string | undefined, grantTypes, firstParty: Boolean(values['first-party']),
      backchannelLogoutUri: values['backchannel-logout-uri'] ? requireUrl(values['backchannel-logout-uri'] as string, '--backchannel-logout-uri') : undefined,
      mfa, documents: (values.document as string[] | undefined) ?? [], ...profile, connectors: values.connector as string[] | undefined,
      idTokenAlg: oneOf<IdTokenAlg>(values, 'id-token-alg', ID_TOKEN_ALGS), tokenAuthMethod: oneOf<TokenAuthMethod>(values, 'token-auth', TOKEN_AUTH_METHODS),
      jwksUri: values['jwks-uri'] === undefined ? undefined : requireUrl(values['jwks-uri'] as string, '--jwks-uri'),
    };
    const problem = await clientInputProblem(input, clientRuleLookups(services), (field) => CLIENT_FLAGS[field]);
    if (problem) throw new UsageError(problem);
    try {
      const client = await services.clients.addClient(input);
      return { audit: { target: client.client_id }, json: client, text: `added client ${client.client_id}${client.client_secret ? `\nclient_secret: ${client.client_secret}` : ''}` };
    } catch (error) {
      if (error instanceof ClientExistsError) throw new UsageError(error.message);
      throw error;
    }
  },
  async 'clients list'(_args, { services }) {
    const clients = await services.clients.listClients();
    return { json: clients, text: table(clients as unknown as Record<string, unknown>[], ['client_id', 'client_name', 'token_endpoint_auth_method', 'id_token_signed_response_alg']) };
  },
  async 'clients show'(args, { services }) {
    const id = parse(args, {}).positionals[0];
    if (!id) throw new UsageError('clients show needs a client id');
    const client = await services.clients.showClient(id);
    if (!client) throw new UsageError(`no client with id "${id}"`);
    return { json: client, text: JSON.stringify(client, null, 2) };
  },
  async 'clients remove'(args, { services }) {
    const id = parse(args, {}).positionals[0];
    if (!id) throw new UsageError('clients remove needs a client id');
    if (!(await services.clients.removeClient(id))) throw new UsageError(`no client with id "${id}"`);
    return { json: { removed: id }, text: `removed client ${id}`, audit: { target: id } };
  },

  async 'users add'(args, env) {
    const { values } = parse(args, { email: { type: 'string' }, password: { type: 'string' }, 'password-stdin': { type: 'boolean' }, verified: { type: 'boolean' } });
    const email = emailSchema.safeParse(values.email ?? '');
    if (!email.success) throw new UsageError('--email must be a valid email address');
    let password = values.password as string | undefined;
    if (values['password-stdin']) {
      if (!env.readStdin) throw new UsageError('--password-stdin needs standard input');
      password = (await env.readStdin()).replace(/\r?\n$/, '');
    }
    const { services } = env;
    if (password !== undefined) {
      const problem = checkPassword(password, services.config.password, email.data);
      if (problem) throw new UsageError(`password: ${describePasswordProblem(problem, services.config.password)}`);
    }
    if (await services.accounts.findAccountByEmail(email.data)) throw new UsageError(`an account with email ${email.data} already exists`);
    const passwordHash = password === undefined ? null : await services.hasher.hash(password);
    const account = await services.accounts.insertAccount({ email: email.data, status: passwordHash ? 'active' : 'lite', passwordHash, emailVerified: Boolean(values.verified) });
    const view = userView(account);
    return { json: view, text: `added user ${view.email} (${view.id})`, audit: { accountId: account.id } };
  },
  async 'users list'(_args, { services }) {
    const users = (await services.accounts.listAccounts(10_000)).map(userView);
    return { json: users, text: table(users, ['id', 'email', 'email_verified', 'status']) };
  },
  async 'users show'(args, { services }) {
    const email = parse(args, {}).positionals[0];
    if (!email) throw new UsageError('users show needs an email');
    const account = await services.accounts.findAccountByEmail(email);
    if (!account) throw new UsageError(`no user with email ${email}`);
    const view = userView(account);
    return { json: view, text: JSON.stringify(view, null, 2) };
  },

  async 'admins add'(args, { services }) {
    const { values, positionals } = parse(args, { role: { type: 'string' } });
    const role = values.role ?? 'owner';
    if (!isAdminRole(role)) throw new UsageError(`--role: "${String(role)}" is not one of ${ADMIN_ROLES.join(', ')}`);
    const account = await accountOfEmail(positionals, 'admins add', services);
    await services.admins.grantAdmin(account.id, role);
    return { json: { admin: account.email, id: account.id, role }, text: `${account.email} may now use the admin pages (/admin) as ${role}`, audit: { accountId: account.id } };
  },
  async 'admins list'(_args, { services }) {
    const admins = (await services.admins.listAdmins()).map((a) => ({ id: a.accountId, email: a.email, role: a.role, since: a.since.toISOString() }));
    return { json: admins, text: table(admins, ['email', 'id', 'role', 'since']) };
  },
  async 'admins remove'(args, { services }) {
    const account = await accountOfEmail(args, 'admins remove', services);
    if (!(await services.admins.revokeAdmin(account.id))) throw new UsageError(`${account.email} is not an administrator`);
    return { json: { removed: account.email }, text: `${account.email} may no longer use the admin pages`, audit: { accountId: account.id } };
  },

  async 'users import'(args, { services, importSource }) {
    return importCustomers(args, services, importSource);
  },
  async 'users export'(args, { services, exportSink }) {
    if (args.some((a) => a === '--format' || a.startsWith('--format='))) {
      const count = await exportCustomers(args.filter((a) => a !== '--json'), services, exportSink);
      return { json: { exported: count }, text: `exported ${count} customers`, streamed: true };
    }
    const account = await accountOfEmail(args, 'users export', services);
    const document = await services.privacy.export.exportAccount(account.id);
    return { json: document, text: JSON.stringify(document, null, 2) };
  },
  async 'users erase'(args, { services }) {
    const { values, positionals } = parse(args, { now: { type: 'boolean' } });
    const account = await accountOfEmail(positionals, 'erase', services);
    const { erasure } = services.privacy;
    let status = await erasure.requestErasure(account.id, { channel: 'cli', ...(values.now ? { graceDays: 0 } : {}) });
    // --now purges a pending request whatever its grace period, like the sweeper will once it is over.
    if (values.now && status.state === 'pending') {
      await erasure.purgeAccount(account.id);
      status = await erasure.erasureStatus(account.id);
    }
    const view = erasureView(account.id, status);
    return { audit: { accountId: account.id }, json: view, text: status.state === 'erased' ? `erased ${account.id}` : `erasure of ${account.id} requested: sign-in is disabled; purged after ${view.erase_after} unless cancelled` };
  },
  async 'users cancel-erasure'(args, { services }) {
    const account = await accountOfEmail(args, 'users cancel-erasure', services);
    const status = await services.privacy.erasure.cancelErasure(account.id, { channel: 'cli' });
    return { json: erasureView(account.id, status), text: `erasure of ${account.id} cancelled`, audit: { accountId: account.id } };
  },
  async 'users restrict'(args, { services }) {
    const { values, positionals } = parse(args, { lift: { type: 'boolean' } });
    const account = await accountOfEmail(positionals, 'restrict', services);
    const { restriction } = services.privacy;
    await (values.lift ? restriction.liftRestriction(account.id, { channel: 'cli' }) : restriction.restrictProcessing(account.id, { channel: 'cli' }));
    const restricted = await restriction.isRestricted(account.id);
    return { audit: { accountId: account.id }, json: { id: account.id, processing_restricted: restricted }, text: `processing of ${account.id} is ${restricted ? 'restricted' : 'not restricted'}` };
  },

  async 'resources add'(args, { services }) {
    const { values } = parse(args, { id: { type: 'string' }, scope: { type: 'string' } });
    const id = requireUrl(String(values.id ?? ''), '--id');
    const scopes = String(values.scope ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => !SCOPE_NAME.test(s))) throw new UsageError('--scope needs one or more space-separated scope names');
    const resource = await services.resources.addResource(id, scopes);
    return { audit: { target: resource.id }, json: resource, text: `added resource ${resource.id} (${resource.scopes.join(' ')})` };
  },
  async 'resources list'(_args, { services }) {
    const resources = await services.resources.listResources();
    return { json: resources, text: table(resources.map((r) => ({ ...r, scopes: r.scopes.join(' ') })), ['id', 'scopes']) };
  },
  async 'resources remove'(args, { services }) {
    const id = parse(args, {}).positionals[0];
    if (!id) throw new UsageError('resources remove needs a resource URI');
    if (!(await services.resources.removeResource(id))) throw new UsageError(`no resource ${id}`);
    return { json: { removed: id }, text: `removed resource ${id}`, audit: { target: id } };
  },

  async 'keys rotate'(_args, { services, onKeysChanged, actor }) {
    // The same operation as the admin API's and pages' (a signing_keys.rotated event with its actor).
    const result = await rotateSigningKeys(services, actor ?? `cli:${osUser()}`, onKeysChanged);
    return { json: result, text: `new keys ${result.created.join(', ')}; previous keys stay published until their tokens expire` };
  },

  async 'documents list'(_args, { services }) {
    const documents = await services.consentRegistry.listDocuments();
    const rows = documents.flatMap((d) => d.versions.map((v) => ({ document: d.id, required: d.required, version: v.version, material: v.material, published_at: v.publishedAt.toISOString() })));
    return { json: documents, text: table(rows, ['document', 'version', 'material', 'published_at', 'required']) };
  },
  async 'documents publish'(args, { services }) {
    const { values } = parse(args, { document: { type: 'string' }, version: { type: 'string' }, editorial: { type: 'boolean' }, url: { type: 'string' }, 'published-at': { type: 'string' } });
    const documentId = String(values.document ?? '');
    if (!documentId) throw new UsageError('--document is required (see foyer documents list)');
    // The same checks as the admin API's POST /admin/api/documents/:id/versions.
    const parsed = documentVersionSchema.safeParse({ version: values.version, url: values.url, material: !values.editorial, publishedAt: values['published-at'] });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const flag = ({ version: '--version', url: '--url', publishedAt: '--published-at' } as Record<string, string>)[String(issue.path[0])] ?? String(issue.path[0]);
      throw new UsageError(`${flag}: ${values[flag.slice(2)] === undefined ? 'required' : issueMessage(issue, DEFAULT_LANGUAGE)}${flag === '--published-at' ? ' (an ISO date and time, e.g. 2027-01-01T00:00:00Z)' : ''}`);
    }
    const { version, material, url, publishedAt } = parsed.data;
    await services.consentRegistry.seed(); // a fresh database gets its configured documents first
    let published: DocumentVersionInfo;
    try {
      published = await services.consentRegistry.publishDocumentVersion({ documentId, version, material, url, publishedAt: publishedAt === undefined ? undefined : new Date(publishedAt) });
    } catch (error) {
      if (error instanceof UnknownDocumentError) throw new UsageError(`${error.message} (see foyer documents list)`);
      if (error instanceof DocumentVersionExistsError) throw new UsageError(error.message);
      throw error;
    }
    const kind = material ? 'material: customers accept it again at their next sign-in' : 'editorial: no new acceptance needed';
    return { json: { document: documentId, version, material, published_at: published.publishedAt.toISOString() }, text: `published ${documentId} version ${version} (${kind})` };
  },
  async 'webhooks add'(args, { services }) {
    const { values } = parse(args, {
      name: { type: 'string' }, url: { type: 'string' }, event: { type: 'string', multiple: true }, field: { type: 'string', multiple: true },
      description: { type: 'string' }, disabled: { type: 'boolean' },
    });
    if (!values.name || !values.url) throw new UsageError('webhooks add needs --name and --url');
    await services.profile.seedAndLoad();
    const webhook = await services.webhooks.add({
      name: String(values.name), url: String(values.url), description: values.description === undefined ? undefined : String(values.description),
      events: values.event === undefined ? undefined : (values.event as string[]), fields: values.field === undefined ? undefined : (values.field as string[]),
      enabled: !values.disabled,
    });
    return {
      json: webhookJson(webhook, webhook.secret),
      text: `added webhook ${webhook.id} → ${webhook.url}\nsigning secret (shown once; verify the webhook-signature header with it): ${webhook.secret}`,
    };
  },
  async 'webhooks list'(_args, { services }) {
    const list = (await services.webhooks.list()).map((w) => webhookJson(w));
    return { json: list, text: table(list.map((w) => ({ ...w, events: w.events.join(','), fields: w.fields.join(',') })), ['id', 'name', 'url', 'enabled', 'events', 'fields']) };
  },
  async 'webhooks show'(args, { services }) {
    const webhook = await services.webhooks.find(requireWebhookId(args));
    if (!webhook) throw new UsageError(`no webhook ${requireWebhookId(args)}`);
    const deliveries = (await services.webhooks.deliveries(webhook.id, 20)).map(deliveryJson);
    const view = { ...webhookJson(webhook), deliveries };
    const lines = [`${webhook.id}\t${webhook.name}\t${webhook.url}\t${webhook.enabled ? 'enabled' : 'disabled'}`, `events: ${webhook.events.join(', ')}`, `fields: ${webhook.fields.join(', ') || '(none)'}`, 'recent deliveries:',
      table(deliveries, ['id', 'event_type', 'status', 'attempts', 'last_status', 'last_error'])];
    return { json: view, text: lines.join('\n') };
  },
  async 'webhooks remove'(args, { services }) {
    const id = requireWebhookId(args);
    if (!(await services.webhooks.remove(id))) throw new UsageError(`no webhook ${id}`);
    return { json: { removed: id }, text: `removed webhook ${id}` };
  },
  async 'webhooks rotate-secret'(args, { services }) {
    const id = requireWebhookId(args);
    const secret = await services.webhooks.rotateSecret(id);
    return { json: { id, secret }, text: `new signing secret for ${id} (the old one no longer signs): ${secret}` };
  },
  async 'webhooks enable'(args, { services }) {
    const webhook = await services.webhooks.update(requireWebhookId(args), { enabled: true });
    return { json: webhookJson(webhook), text: `enabled webhook ${webhook.id}` };
  },
  async 'webhooks disable'(args, { services }) {
    const webhook = await services.webhooks.update(requireWebhookId(args), { enabled: false });
    return { json: webhookJson(webhook), text: `disabled webhook ${webhook.id}: it gets no new events until enabled` };
  },
  async 'webhooks redeliver'(args, { services }) {
    const id = parse(args, {}).positionals[0];
    if (!id) throw new UsageError('webhooks redeliver needs a delivery id (see webhooks show)');
    if (!(await services.webhooks.redeliver(id))) throw new UsageError(`no pending or failed delivery ${id}`);
    return { json: { redelivering: id }, text: `delivery ${id} is due again` };
  },

  async 'brands list'(_args, { services }) {
    const snapshot = await services.brands.current();
    const view = [...snapshot.brands.values()].map((b) => ({ id: b.id, name: b.name, clients: [...snapshot.clientBrand].filter(([, x]) => x === b.id).map(([c]) => c) }));
    return { json: view, text: table(view.map((b) => ({ ...b, clients: b.clients.join(' ') })), ['id', 'name', 'clients']) };
  },

  async 'brands assign'(args, { services }) {
    const [brand, clientId] = parse(args, {}).positionals;
    if (!brand || !clientId) throw new UsageError('brands assign needs a brand id and a client id (the default brand takes the app out of any other)');
    if (!(await services.clients.showClient(clientId))) throw new UsageError(`no client ${clientId}`);
    await services.brands.assignClient(clientId, brand);
    return { json: { brand, client_id: clientId }, text: `${clientId} is in the brand ${brand}`, audit: { target: `${brand}:${clientId}` } };
  },

  async 'purposes list'(_args, { services }) {
    await services.consentRegistry.seed();
    const purposes = await services.consentRegistry.listPurposes();
    const view = purposes.map((p) => ({ id: p.id, legal_basis: p.legalBasis, name: services.consentRegistry.text(p.texts).name, data_categories: p.dataCategories }));
    return { json: view, text: table(view, ['id', 'legal_basis', 'name']) };
  },
};

async function accountOfEmail(args: string[], command: string, services: Services) {
  const email = parse(args, {}).positionals[0];
  if (!email) throw new UsageError(`${command} needs an email`);
  const account = await services.accounts.findAccountByEmail(email);
  if (!account) throw new UsageError(`no user with email ${email}`);
  return account;
}

function erasureView(id: string, status: ErasureStatus) {
  return {
    id, erasure: status.state,
    ...(status.state === 'pending' ? { requested_at: status.requestedAt.toISOString(), erase_after: status.eraseAfter.toISOString() } : {}),
    ...(status.state === 'erased' ? { erased_at: status.erasedAt.toISOString() } : {}),
  };
}

/** --profile-required/--profile-optional take field keys (repeated, or space- or comma-separated); --profile-per-visit a number. */
function profileFlags(values: ParsedValues): { profileRequired?: string[]; profileOptional?: string[]; profilePerVisit?: number } {
  const keys = (flag: string) => {
    const list = ((values[flag] as string[] | undefined) ?? []).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
    const problem = clientProfileMetadataProblem('foyer_profile_required', list);
    if (problem) throw new UsageError(`--${flag}: give profile field keys (lower-case letters, digits and _)`);
    return list.length ? list : undefined;
  };
  const out: { profileRequired?: string[]; profileOptional?: string[]; profilePerVisit?: number } = {};
  const required = keys('profile-required');
  const optional = keys('profile-optional');
  if (required) out.profileRequired = required;
  if (optional) out.profileOptional = optional;
  const perVisit = values['profile-per-visit'];
  if (perVisit !== undefined) {
    const n = Number(perVisit);
    if (clientProfileMetadataProblem('foyer_profile_per_visit', n) || !/^\d+$/.test(String(perVisit))) throw new UsageError('--profile-per-visit must be a whole number from 0 to 20');
    out.profilePerVisit = n;
  }
  return out;
}

function userView(account: { id: string; email: string | null; emailVerified: boolean; status: string; createdAt: Date }) {
  return { id: account.id, email: account.email, email_verified: account.emailVerified, status: account.status, created_at: account.createdAt.toISOString() };
}

// Commands that only read are not audited (`users export` hands out personal data: it is).
const READ_ONLY = new Set(['migrate', 'clients list', 'clients show', 'users list', 'users show', 'resources list', 'documents list', 'purposes list', 'brands list', 'webhooks list', 'webhooks show', 'admins list']);

/** The OS user running the command (the control socket is this user's only, so the server's is the same). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** The command's change in the audit log: its name and target, never its arguments (they may carry a secret). */
async function auditCommand(env: CommandEnv, command: string, audit: { accountId?: string; target?: string } | undefined): Promise<void> {
  const actor = env.actor ?? `cli:${osUser()}`;
  await env.services.events.emit({ type: 'admin.changed', accountId: audit?.accountId, actor, data: { via: 'cli', command, ...(audit?.target ? { target: audit.target.slice(0, 200) } : {}) } });
}

function commandName(rest: string[]): string {
  return rest[0] === 'migrate' ? 'migrate' : `${rest[0]} ${rest[1]}`;
}

/** The answer to `--help`, no command or an unknown one (no services needed); undefined for a real command. */
export function usageResult(argv: string[]): CommandResult | undefined {
  const rest = argv.filter((a) => a !== '--json');
  if (rest.includes('--help')) return { stdout: `${USAGE}\n`, stderr: '', exitCode: 0 };
  if (rest.length === 0) return { stdout: '', stderr: 'foyer: no command given; run "foyer --help" for the list\n', exitCode: 2 };
  if (!Object.hasOwn(handlers, commandName(rest))) {
    return { stdout: '', stderr: `foyer: unknown command "${rest.slice(0, 2).join(' ')}"; run "foyer --help" for the list\n`, exitCode: 2 };
  }
  return undefined;
}

export async function runCommand(argv: string[], env: CommandEnv): Promise<CommandResult> {
  const usage = usageResult(argv);
  if (usage) return usage;
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  const name = commandName(rest);
  const handler = handlers[name]!;
  try {
    const out = await handler(rest.slice(name === 'migrate' ? 1 : 2).concat(json ? ['--json'] : []), env);
    if (!READ_ONLY.has(name)) await auditCommand(env, name, out.audit);
    if (out.streamed) return { stdout: '', stderr: `${out.text}\n`, exitCode: 0 };
    return { stdout: `${json ? JSON.stringify(out.json, null, 2) : out.text}\n`, stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof UsageError || (isAppError(error) && error.expose)) return { stdout: '', stderr: `foyer: ${error.message}\n`, exitCode: 1 };
    env.services.log.error({ err: error }, 'command failed');
    return { stdout: '', stderr: `foyer: ${(error as Error).message.split('\n')[0]}\n`, exitCode: 1 };
  }
}
