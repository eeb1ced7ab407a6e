// Owns what each `foyer` command does, given the services: the same code runs in the CLI process or,
// when the server holds the embedded database, inside the server (handed over the control socket).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { CLIENT_MFA_POLICIES, parseClientMfaPolicy } from '../authn/mfa/policy.ts';
import { checkPassword, describePasswordProblem } from '../authn/password/policy.ts';
import type { Services } from '../compose.ts';
import { migrateLatest } from '../db/migrate.ts';
import { ClientExistsError } from '../oidc/clients.ts';

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
}

class UsageError extends Error {}

const USAGE = `usage: foyer <command> [--json]
  migrate
  clients add --client-id ID --redirect-uri URI [--redirect-uri URI ...] [--post-logout-redirect-uri URI] [--public | --secret SECRET]
              [--scope "openid email profile ..."] [--grant-type T ...] [--name NAME] [--first-party] [--backchannel-logout-uri URI]
              [--mfa off|optional|required] [--connector ID ...]
  clients list | clients show ID | clients remove ID
  users add --email EMAIL [--password PASSWORD | --password-stdin] [--verified]
  users list | users show EMAIL
  resources add --id URI --scope "read write ..." | resources list | resources remove URI
  keys rotate`;

const urlSchema = z.url({ protocol: /^https?$/ });
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']);

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

type Handler = (args: string[], env: CommandEnv) => Promise<{ json: unknown; text: string }>;

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
      connector: { type: 'string', multiple: true },
    });
    const clientId = values['client-id'] as string | undefined;
    if (!clientId || !/^[\w.:-]{1,128}$/.test(clientId)) throw new UsageError('--client-id is required: letters, digits, . _ : - (at most 128)');
    if (values.public && values.secret) throw new UsageError('--public and --secret exclude each other');
    const grantTypes = (values['grant-type'] as string[] | undefined) ?? [];
    for (const g of grantTypes) if (!GRANT_TYPES.has(g)) throw new UsageError(`--grant-type: "${g}" is not one of ${[...GRANT_TYPES].join(', ')}`);
    const redirectUris = ((values['redirect-uri'] as string[] | undefined) ?? []).map((u) => requireUrl(u, '--redirect-uri'));
    const usesCode = grantTypes.length === 0 || grantTypes.includes('authorization_code');
    if (usesCode && redirectUris.length === 0) throw new UsageError('--redirect-uri is required for clients that sign customers in');
    if (values.public && grantTypes.includes('client_credentials')) throw new UsageError('a public client cannot use client_credentials');
    const mfa = values.mfa === undefined ? undefined : parseClientMfaPolicy(values.mfa);
    if (values.mfa !== undefined && !mfa) throw new UsageError(`--mfa: "${String(values.mfa)}" is not one of ${CLIENT_MFA_POLICIES.join(', ')}`);
    const connectors = values.connector as string[] | undefined;
    if (connectors) {
      const known = await services.connectors.connectorIds();
      for (const id of connectors) if (!known.includes(id)) throw new UsageError(`--connector: "${id}" is not a configured connector (${known.join(', ') || 'none configured'})`);
    }
    const secret = values.secret as string | undefined;
    if (secret !== undefined && secret.length < 32) throw new UsageError('--secret must be at least 32 characters');
    try {
      const client = await services.clients.addClient({
        clientId, name: values.name as string | undefined, redirectUris, public: Boolean(values.public), secret,
        postLogoutRedirectUris: ((values['post-logout-redirect-uri'] as string[] | undefined) ?? []).map((u) => requireUrl(u, '--post-logout-redirect-uri')),
        scope: values.scope as string | undefined, grantTypes, firstParty: Boolean(values['first-party']),
        backchannelLogoutUri: values['backchannel-logout-uri'] ? requireUrl(values['backchannel-logout-uri'] as string, '--backchannel-logout-uri') : undefined,
        mfa, connectors,
      });
      return { json: client, text: `added client ${client.client_id}${client.client_secret ? `\nclient_secret: ${client.client_secret}` : ''}` };
    } catch (error) {
      if (error instanceof ClientExistsError) throw new UsageError(error.message);
      throw error;
    }
  },
  async 'clients list'(_args, { services }) {
    const clients = await services.clients.listClients();
    return { json: clients, text: table(clients as unknown as Record<string, unknown>[], ['client_id', 'client_name', 'token_endpoint_auth_method']) };
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
    return { json: { removed: id }, text: `removed client ${id}` };
  },

  async 'users add'(args, env) {
    const { values } = parse(args, { email: { type: 'string' }, password: { type: 'string' }, 'password-stdin': { type: 'boolean' }, verified: { type: 'boolean' } });
    const email = z.email().safeParse(values.email);
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
    return { json: view, text: `added user ${view.email} (${view.id})` };
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

  async 'resources add'(args, { services }) {
    const { values } = parse(args, { id: { type: 'string' }, scope: { type: 'string' } });
    const id = requireUrl(String(values.id ?? ''), '--id');
    const scopes = String(values.scope ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) throw new UsageError('--scope needs one or more space-separated scope names');
    const resource = await services.resources.addResource(id, scopes);
    return { json: resource, text: `added resource ${resource.id} (${resource.scopes.join(' ')})` };
  },
  async 'resources list'(_args, { services }) {
    const resources = await services.resources.listResources();
    return { json: resources, text: table(resources.map((r) => ({ ...r, scopes: r.scopes.join(' ') })), ['id', 'scopes']) };
  },
  async 'resources remove'(args, { services }) {
    const id = parse(args, {}).positionals[0];
    if (!id) throw new UsageError('resources remove needs a resource URI');
    if (!(await services.resources.removeResource(id))) throw new UsageError(`no resource ${id}`);
    return { json: { removed: id }, text: `removed resource ${id}` };
  },

  async 'keys rotate'(_args, { services, onKeysChanged }) {
    const { tokens } = services.config;
    const result = await services.signingKeys.rotate(Math.max(tokens.idTokenSeconds, tokens.accessTokenSeconds) + 300);
    await onKeysChanged?.();
    return { json: result, text: `new keys ${result.created.join(', ')}; previous keys stay published until their tokens expire` };
  },
};

function userView(account: { id: string; email: string | null; emailVerified: boolean; status: string; createdAt: Date }) {
  return { id: account.id, email: account.email, email_verified: account.emailVerified, status: account.status, created_at: account.createdAt.toISOString() };
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
    return { stdout: `${json ? JSON.stringify(out.json, null, 2) : out.text}\n`, stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof UsageError) return { stdout: '', stderr: `foyer: ${error.message}\n`, exitCode: 1 };
    env.services.log.error({ err: error }, 'command failed');
    return { stdout: '', stderr: `foyer: ${(error as Error).message.split('\n')[0]}\n`, exitCode: 1 };
  }
}
