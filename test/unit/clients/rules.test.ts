// The rules across a client's fields, shared by `foyer clients add` and the admin API: each problem names the
// field as the caller words it, and looks documents and connectors up only when the input lists some.
import { describe, expect, it } from 'vitest';
import { clientInputProblem, type ClientRuleLookups, type NamedClientField } from '../../../src/clients/rules.ts';
import type { ClientInput } from '../../../src/clients/input.ts';

const base: ClientInput = { clientId: 'shop', redirectUris: ['https://shop.example/cb'], public: false };
const asFlag = (field: NamedClientField) => `--${field}`;

function lookups(documents: string[], connectors: string[]) {
  const asked: string[] = [];
  const sources: ClientRuleLookups = {
    documentIds: async () => (asked.push('documents'), documents),
    connectorIds: async () => (asked.push('connectors'), connectors),
  };
  return { sources, asked };
}

describe('clientInputProblem', () => {
  it('accepts a plain client without looking anything up', async () => {
    const { sources, asked } = lookups([], []);
    expect(await clientInputProblem(base, sources, asFlag)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('names each problem with the caller\'s words', async () => {
    const { sources } = lookups(['terms'], ['google']);
    const cases: [Partial<ClientInput>, string][] = [
      [{ public: true, secret: 'x'.repeat(32) }, '--public and --secret exclude each other'],
      [{ redirectUris: [] }, '--redirectUris is required for clients that sign customers in'],
      [{ redirectUris: [], grantTypes: ['client_credentials'], public: true }, 'a public client cannot use client_credentials'],
      [{ documents: ['terms', 'rules'] }, '--documents: no document with id "rules" (see foyer documents list)'],
      [{ connectors: ['google', 'apple'] }, '--connectors: "apple" is not a configured connector (google)'],
    ];
    for (const [change, message] of cases) expect(await clientInputProblem({ ...base, ...change }, sources, asFlag)).toBe(message);
    expect(await clientInputProblem({ ...base, redirectUris: [], grantTypes: ['client_credentials'] }, sources, asFlag)).toBeUndefined();
    expect(await clientInputProblem({ ...base, connectors: ['x'] }, lookups([], []).sources, asFlag)).toContain('(none configured)');
  });
});
