// Connector settings in the config file: secrets only as {"env": "VAR"} references, validated ids.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.ts';

const secret = 's'.repeat(40);
const connector = { id: 'acme', kind: 'oidc', name: 'Acme ID', issuer: 'https://id.acme.example', clientId: 'foyer' };

function load(connectors: unknown[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-connectors-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ connectors }));
  return loadConfig({ FOYER_CONFIG: file, FOYER_SECRET: secret, FOYER_DATA_DIR: dir, ...env }).config;
}

describe('connectors in the config file', () => {
  it('resolves the client secret from the environment (the preset fills scopes later)', () => {
    const config = load([{ ...connector, clientSecret: { env: 'ACME_SECRET' } }], { ACME_SECRET: 'from-env' });
    expect(config.connectors).toEqual([{ ...connector, clientSecret: 'from-env', enabled: true }]);
  });
  it('refuses a client secret or an Apple private key written into the file', () => {
    expect(() => load([{ ...connector, clientSecret: 'literal' }])).toThrow(/connectors\.0\.clientSecret: a config file may only reference it/);
    const apple = { id: 'apple', kind: 'apple', clientId: 'com.example.web', teamId: 'TEAM123456', keyId: 'KEY1234567' };
    expect(() => load([{ ...apple, privateKey: '-----BEGIN PRIVATE KEY-----' }])).toThrow(/connectors\.0\.privateKey: a config file may only reference it/);
    expect(load([{ ...apple, privateKey: { env: 'APPLE_KEY' } }], { APPLE_KEY: 'pem' }).connectors[0]).toMatchObject({ kind: 'apple', privateKey: 'pem' });
  });
  it('names what a kind needs when it is missing', () => {
    expect(() => load([{ id: 'x', kind: 'oidc', clientId: 'c' }])).toThrow(/connectors\.0\.issuer/);
    expect(() => load([{ id: 'x', kind: 'oauth2', clientId: 'c', authorizationEndpoint: 'https://a.example/auth' }])).toThrow(/connectors\.0\.tokenEndpoint/);
    expect(() => load([{ id: 'x', kind: 'apple', clientId: 'c' }])).toThrow(/connectors\.0\.teamId/);
    expect(load([{ id: 'gh', kind: 'github', clientId: 'c', clientSecret: { env: 'GH' } }], { GH: 's' }).connectors[0]).toMatchObject({ kind: 'github' });
  });
  it('refuses bad ids, duplicate ids and unknown kinds, naming the key', () => {
    expect(() => load([{ ...connector, id: 'Bad Id' }])).toThrow(/connectors\.0\.id/);
    expect(() => load([{ ...connector, id: 'link' }])).toThrow(/reserved/);
    expect(() => load([connector, connector])).toThrow(/unique/);
    expect(() => load([{ ...connector, kind: 'saml' }])).toThrow(/connectors\.0\.kind/);
  });
  it('defaults to no connectors', () => {
    expect(load([]).connectors).toEqual([]);
  });
});
