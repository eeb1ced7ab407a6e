// Owns reading configuration: defaults file, optional FOYER_CONFIG file, environment; validates with zod.
// Must not import from other Foyer layers except errors and i18n (the words of the schema's messages).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LANGUAGE } from '../i18n/languages.ts';
import { issueMessage } from '../i18n/zod.ts';
import { type Config, configSchema, envBindings } from './schema.ts';
import { resolveWebauthn } from './webauthn.ts';

export class ConfigError extends Error {}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readJsonFile(path: string): Record<string, Json> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`config file ${path} cannot be read`);
  }
  try {
    const value = JSON.parse(text) as Json;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch {
    throw new ConfigError(`config file ${path} is not a JSON object`);
  }
}

/** Config files name secrets as {"env": "VAR"}; a literal secret in a file is refused. */
/** A reference to an unset variable stops the start, naming both: a secret silently missing is worse. */
function resolveEnvReferences(value: Json, env: NodeJS.ProcessEnv, path: string): Json {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'env' && typeof value.env === 'string') {
      const resolved = env[value.env];
      if (!resolved) throw new ConfigError(`${path}: the environment variable ${value.env} it refers to is not set`);
      return resolved;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnvReferences(v, env, path ? `${path}.${k}` : k)]));
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvReferences(v, env, `${path}.${i}`));
  if ((path === 'secret' || path === 'metrics.token' || /^connectors\.\d+\.(clientSecret|privateKey)$/.test(path) || path === 'passwordImport.firebaseScrypt.signerKey') && typeof value === 'string') {
    throw new ConfigError(`${path}: a config file may only reference it as {"env": "VARIABLE"}, never hold its value`);
  }
  return value;
}

function setPath(target: Record<string, Json>, path: string, value: Json): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node = (next && typeof next === 'object' && !Array.isArray(next)) ? next : (node[part] = {});
  }
  node[parts.at(-1)!] = value;
}

function mergeDeep(base: Record<string, Json>, over: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? mergeDeep(prev, value)
      : value;
  }
  return out;
}

function envValue(name: string, raw: string, type: 'string' | 'number' | 'boolean' | 'count'): Json {
  // A count that also takes true (1) and false (0), e.g. TRUST_PROXY.
  if (type === 'count') {
    if (/^\d+$/.test(raw)) return Number(raw);
    if (/^(true|yes|on)$/i.test(raw)) return 1;
    if (/^(false|no|off)$/i.test(raw)) return 0;
    throw new ConfigError(`${name}: expected a number, true or false, got "${raw}"`);
  }
  if (type === 'number') {
    if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}: expected a whole number, got "${raw}"`);
    return Number(raw);
  }
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    throw new ConfigError(`${name}: expected true or false, got "${raw}"`);
  }
  return raw;
}

/** Reads the dev secret from the data folder, creating it once (never used in production). */
function devSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}

export interface LoadedConfig {
  config: Config;
  warnings: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw = readJsonFile(join(projectRoot, 'config/default.json'));
  if (env.FOYER_CONFIG) raw = mergeDeep(raw, readJsonFile(resolve(env.FOYER_CONFIG)));
  raw = resolveEnvReferences(raw, env, '') as Record<string, Json>;
  for (const [name, binding] of Object.entries(envBindings)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, binding.path, envValue(name, value, binding.type));
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || '(root)';
    const envName = Object.entries(envBindings).find(([, b]) => b.path === key)?.[0];
    // No reader at start: a schema's message key is worded in English, the field named as the file names it.
    throw new ConfigError(`${key}${envName ? ` (${envName})` : ''}: ${issueMessage(issue, DEFAULT_LANGUAGE)}`);
  }
  const base = parsed.data;
  const warnings: string[] = [];
  const issuer = (base.issuer ?? `http://localhost:${base.port}`).replace(/\/$/, '');
  const issuerUrl = new URL(issuer);
  const onLoopback = loopbackHosts.has(issuerUrl.hostname);
  if (issuerUrl.protocol !== 'https:' && !onLoopback) {
    if (base.nodeEnv === 'production') throw new ConfigError(`issuer (ISSUER): must be https in production, got ${issuer}`);
    warnings.push(`issuer ${issuer} is plain http on a public host: cookies and tokens travel unprotected`);
  }
  try {
    if (!resolveWebauthn({ ...base, issuer }).enabled) {
      warnings.push(`passkeys are off: the issuer ${issuer} is on an IP address, which cannot be a passkey relying party ID; use a host name (e.g. http://localhost) or set webauthn.rpId`);
    }
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  let secret = base.secret;
  if (!secret) {
    if (base.nodeEnv === 'production') throw new ConfigError('secret (FOYER_SECRET): required in production');
    secret = devSecret(resolve(base.dataDir));
    warnings.push(`FOYER_SECRET is not set: using a generated development secret from ${join(base.dataDir, 'secret')}`);
  }
  if (base.nodeEnv === 'production' && base.outboundAllowPrivate) {
    warnings.push('OUTBOUND_ALLOW_PRIVATE is on in production: back-channel calls may reach internal addresses');
  }
  if (base.nodeEnv === 'production' && !base.admin.requireSecondFactor) {
    warnings.push('admin.requireSecondFactor is off in production: the admin pages accept a password alone');
  }
  return { config: { ...base, issuer, secret, dataDir: resolve(base.dataDir) }, warnings };
}

export function isLoopbackIssuer(issuer: string): boolean {
  return loopbackHosts.has(new URL(issuer).hostname);
}

/**
 * The address to listen on: HOST when set; else loopback when the issuer is on loopback (nothing, the dev
 * outbox included, is reachable from the network by default); else undefined, all interfaces.
 */
export function listenHost(config: { host?: string | undefined; issuer: string }): string | undefined {
  if (config.host) return config.host;
  const hostname = new URL(config.issuer).hostname;
  if (!loopbackHosts.has(hostname)) return undefined;
  return hostname === '[::1]' ? '::1' : '127.0.0.1';
}
