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
  it('resolves the client secret from the environment and fills defaults', () => {
    const config = load([{ ...connector, clientSecret: { env: 'ACME_SECRET' } }], { ACME_SECRET: 'from-env' });
    expect(config.connectors).toEqual([{ ...connector, clientSecret: 'from-env', scopes: ['openid', 'email', 'profile'], enabled: true }]);
  });
  it('refuses a client secret written into the file', () => {
    expect(() => load([{ ...connector, clientSecret: 'literal' }])).toThrow(/connectors\.0\.clientSecret: a config file may only reference it/);
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
