// Passkey relying-party settings: defaults from the issuer and brand, and the refusals that stop a start.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.ts';
import { resolveWebauthn } from '../../../src/config/webauthn.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'foyer-webauthn-'));

describe('webauthn settings', () => {
  it('default to the issuer host, the issuer origin and the brand name', () => {
    expect(resolveWebauthn({ issuer: 'http://localhost:4100', brandName: 'Acme' })).toEqual({ enabled: true, rpId: 'localhost', rpName: 'Acme', origins: ['http://localhost:4100'] });
    expect(resolveWebauthn({ issuer: 'https://id.example.com', brandName: 'Acme', webauthn: {} })).toEqual({ enabled: true, rpId: 'id.example.com', rpName: 'Acme', origins: ['https://id.example.com'] });
  });

  it('take a parent domain as rpId and several origins on it', () => {
    const settings = resolveWebauthn({ issuer: 'https://id.example.com', brandName: 'Acme', webauthn: { rpId: 'example.com', rpName: 'Acme ID', origins: ['https://id.example.com', 'https://login.example.com/'] } });
    expect(settings).toEqual({ enabled: true, rpId: 'example.com', rpName: 'Acme ID', origins: ['https://id.example.com', 'https://login.example.com'] });
  });

  it('turn passkeys off for an issuer on an IP address, and refuse a configured IP address', () => {
    expect(resolveWebauthn({ issuer: 'http://127.0.0.1:3000', brandName: 'x' }).enabled).toBe(false);
    expect(resolveWebauthn({ issuer: 'http://[::1]:3000', brandName: 'x' }).enabled).toBe(false);
    expect(resolveWebauthn({ issuer: 'http://localhost:3000', brandName: 'x' }).enabled).toBe(true);
    expect(() => resolveWebauthn({ issuer: 'https://id.example.com', brandName: 'x', webauthn: { rpId: '10.0.0.1' } })).toThrow(/^webauthn\.rpId: 10\.0\.0\.1 is an IP address/);
  });

  it('refuse origins that are not on the rpId, and values that are not host names or origins', () => {
    expect(() => resolveWebauthn({ issuer: 'https://id.example.com', brandName: 'x', webauthn: { origins: ['https://evil.example'] } })).toThrow(/^webauthn\.origins: https:\/\/evil\.example is not on id\.example\.com/);
    expect(() => resolveWebauthn({ issuer: 'https://id.example.com', brandName: 'x', webauthn: { origins: ['https://id.example.com/login'] } })).toThrow(/origin only/);
    expect(() => resolveWebauthn({ issuer: 'https://id.example.com', brandName: 'x', webauthn: { rpId: 'https://example.com' } })).toThrow(/not a host name/);
  });

  it('start on a loopback IP issuer with a warning that passkeys are off; stop on a configured IP rpId', () => {
    const loaded = loadConfig({ ISSUER: 'http://127.0.0.1:3000', FOYER_DATA_DIR: dataDir() });
    expect(loaded.warnings.join('\n')).toMatch(/passkeys are off: the issuer http:\/\/127\.0\.0\.1:3000 is on an IP address/);
    const dir = dataDir();
    const file = join(dir, 'foyer.json');
    writeFileSync(file, JSON.stringify({ webauthn: { rpId: '127.0.0.1' } }));
    expect(() => loadConfig({ FOYER_CONFIG: file, FOYER_DATA_DIR: dir })).toThrow(ConfigError);
    expect(loadConfig({ ISSUER: 'http://localhost:3000', FOYER_DATA_DIR: dataDir() }).config.issuer).toBe('http://localhost:3000');
  });
});
