import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.ts';
import { runWithLanguage } from '../../../src/i18n/request-language.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'foyer-config-'));
const secret = 's'.repeat(40);

describe('configuration', () => {
  it('defaults the issuer to localhost:PORT and generates a dev secret once', () => {
    const dir = dataDir();
    const { config, warnings } = loadConfig({ PORT: '4100', FOYER_DATA_DIR: dir });
    expect(config.issuer).toBe('http://localhost:4100');
    expect(warnings.join()).toContain('FOYER_SECRET');
    expect(loadConfig({ FOYER_DATA_DIR: dir }).config.secret).toBe(config.secret);
  });

  it('stops with one line naming the key for an invalid value', () => {
    expect(() => loadConfig({ PORT: 'eighty', FOYER_DATA_DIR: dataDir() })).toThrow(/^PORT: expected a whole number/);
    expect(() => loadConfig({ PORT: '99999', FOYER_DATA_DIR: dataDir() })).toThrow(/^port \(PORT\):/);
    expect(() => loadConfig({ ISSUER: 'not a url', FOYER_DATA_DIR: dataDir() })).toThrow(/^issuer \(ISSUER\):/);
    expect(() => loadConfig({ TRUST_PROXY: 'maybe', FOYER_DATA_DIR: dataDir() })).toThrow(ConfigError);
  });

  it('refuses insecure settings in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ISSUER: 'https://id.example.com', FOYER_DATA_DIR: dataDir() })).toThrow(/FOYER_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', ISSUER: 'http://id.example.com', FOYER_SECRET: secret })).toThrow(/https/);
    expect(loadConfig({ NODE_ENV: 'production', ISSUER: 'https://id.example.com', FOYER_SECRET: secret }).config.issuer).toBe('https://id.example.com');
  });

  it('reads a config file, lets the environment win, and resolves secrets only by reference', () => {
    const dir = dataDir();
    const file = join(dir, 'foyer.json');
    writeFileSync(file, JSON.stringify({ port: 5000, brandName: 'Acme', secret: { env: 'MY_SECRET' }, session: { idleSeconds: 60 } }));
    const { config } = loadConfig({ FOYER_CONFIG: file, PORT: '5001', MY_SECRET: secret, FOYER_DATA_DIR: dir });
    expect(config).toMatchObject({ port: 5001, brandName: 'Acme', secret, session: { idleSeconds: 60 } });
    writeFileSync(file, JSON.stringify({ smtpUrl: { env: 'UNSET_SMTP' }, secret: { env: 'MY_SECRET' } }));
    expect(() => loadConfig({ FOYER_CONFIG: file, MY_SECRET: secret, FOYER_DATA_DIR: dir })).toThrow(/^smtpUrl: the environment variable UNSET_SMTP it refers to is not set$/);
    writeFileSync(file, JSON.stringify({ secret: secret }));
    expect(() => loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dir })).toThrow(/secret: a config file may only reference it/);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dir })).toThrow(/not a JSON object/);
  });

  it('reads TRUST_PROXY as the number of proxies in front, true meaning one and false none, from the environment and files', () => {
    const dir = dataDir();
    const hops = (env: NodeJS.ProcessEnv) => loadConfig({ FOYER_DATA_DIR: dir, ...env }).config.trustProxy;
    expect(hops({})).toBe(0);
    expect(hops({ TRUST_PROXY: 'true' })).toBe(1);
    expect(hops({ TRUST_PROXY: '1' })).toBe(1);
    expect(hops({ TRUST_PROXY: '2' })).toBe(2);
    expect(hops({ TRUST_PROXY: 'false' })).toBe(0);
    expect(hops({ TRUST_PROXY: '0' })).toBe(0);
    expect(() => hops({ TRUST_PROXY: '-1' })).toThrow(/^TRUST_PROXY: expected a number, true or false/);
    expect(() => hops({ TRUST_PROXY: '11' })).toThrow(/^trustProxy \(TRUST_PROXY\):/);
    const file = join(dir, 'foyer.json');
    for (const [value, expected] of [[true, 1], [false, 0], [3, 3]] as const) {
      writeFileSync(file, JSON.stringify({ trustProxy: value }));
      expect(hops({ FOYER_CONFIG: file })).toBe(expected);
    }
  });

  it('drains a few seconds on SIGTERM by default, SHUTDOWN_DRAIN_SECONDS changing it within the 10 s a stop may take', () => {
    const dir = dataDir();
    expect(loadConfig({ FOYER_DATA_DIR: dir }).config.shutdown.drainSeconds).toBe(3);
    expect(loadConfig({ FOYER_DATA_DIR: dir, SHUTDOWN_DRAIN_SECONDS: '0' }).config.shutdown.drainSeconds).toBe(0);
    expect(loadConfig({ FOYER_DATA_DIR: dir, SHUTDOWN_DRAIN_SECONDS: '5' }).config.shutdown.drainSeconds).toBe(5);
    expect(() => loadConfig({ FOYER_DATA_DIR: dir, SHUTDOWN_DRAIN_SECONDS: '9' })).toThrow(/^shutdown\.drainSeconds \(SHUTDOWN_DRAIN_SECONDS\):/);
  });

  // A schema's own message is a catalogue key; at start there is no reader, so it is worded in English (even if a
  // request in another language were being answered), after the key as the file names it.
  it('words a schema rule it breaks in English from the catalogue, naming the field', () => {
    const dir = dataDir();
    const file = join(dir, 'foyer.json');
    const polish = <T>(fn: () => T) => runWithLanguage({ chosen: 'pl' }, fn);
    writeFileSync(file, JSON.stringify({ connectors: [{ id: 'Corp SSO', kind: 'github', clientId: 'x' }] }));
    expect(() => polish(() => loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dir }))).toThrow(/^connectors\.0\.id: must be lower-case letters, digits, - or _ \(at most 40\)$/);
    writeFileSync(file, JSON.stringify({ profile: { fields: [{ key: 'sub', label: { en: 'Subject' } }] } }));
    expect(() => polish(() => loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dir }))).toThrow(/^profile\.fields\.0: sub: a profile field cannot be the sub claim, which Foyer asserts itself$/);
    expect(() => loadConfig({ FOYER_DATA_DIR: dir, FOYER_SECRET: 'short' })).toThrow(/^secret \(FOYER_SECRET\): must be at least 32 characters$/);
  });

  it('caps access-token lifetime at 10 minutes', () => {
    const dir = dataDir();
    const file = join(dir, 'foyer.json');
    writeFileSync(file, JSON.stringify({ tokens: { accessTokenSeconds: 3600 } }));
    expect(() => loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dir })).toThrow(/^tokens\.accessTokenSeconds:/);
  });
});

describe('the example configs', () => {
  it('load, and every profile field is held for a purpose they define', () => {
    const file = join(process.cwd(), 'config', 'example.profile.json');
    const { config } = loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dataDir() });
    const purposes = new Set(config.consent.purposes.map((p) => p.id));
    expect(config.profile.fields.length).toBeGreaterThan(0);
    for (const field of config.profile.fields) expect(purposes, field.key).toContain(field.purpose);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('consent.purposes');
  });
});
