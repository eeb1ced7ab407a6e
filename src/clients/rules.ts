// Owns the rules a client registration follows whichever way it comes (`foyer clients add`, the admin API):
// each field's own rule, and the rules across fields and against what is configured. Callers word the field.
import { z } from 'zod';
import type { ClientInput } from './input.ts';

export { ID_TOKEN_ALGS, TOKEN_AUTH_METHODS } from './input.ts';

export const CLIENT_ID_PATTERN = /^[\w.:-]{1,128}$/;
/** The rule a client id follows, as a catalogue key (the schema's message; the command line words it in English). */
export const CLIENT_ID_RULE = 'schema.client.id';
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] as const;
export const MIN_CLIENT_SECRET_LENGTH = 32;
/** One scope name (RFC 6749 scope-token): printable ASCII but space, " and \\. */
export const SCOPE_NAME = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** An http(s) URL (redirect, post-logout and back-channel logout URIs, resource ids); `message` is a catalogue key. */
export const httpUrlSchema = (message?: string) => z.url({ protocol: /^https?$/, ...(message ? { message } : {}) });

/** What the rules across fields look up: the documents and the social-login connectors configured. */
export interface ClientRuleLookups {
  documentIds(): Promise<string[]>;
  connectorIds(): Promise<string[]>;
}

/** The fields whose name a problem across fields carries. */
export type NamedClientField = 'public' | 'secret' | 'redirectUris' | 'documents' | 'connectors' | 'tokenAuthMethod' | 'jwksUri';

/**
 * The first problem of a whole client input across its fields, or undefined. `name` words a field as the
 * caller shows it (a CLI flag, a JSON member), so messages name what the person typed.
 */
export async function clientInputProblem(input: ClientInput, lookups: ClientRuleLookups, name: (field: NamedClientField) => string): Promise<string | undefined> {
  if (input.public && input.secret !== undefined) return `${name('public')} and ${name('secret')} exclude each other`;
  const grantTypes = input.grantTypes ?? [];
  const usesCode = grantTypes.length === 0 || grantTypes.includes('authorization_code');
  if (usesCode && input.redirectUris.length === 0) return `${name('redirectUris')} is required for clients that sign customers in`;
  if (input.public && grantTypes.includes('client_credentials')) return 'a public client cannot use client_credentials';
  const method = input.tokenAuthMethod;
  if (input.public && method !== undefined) return `${name('public')} and ${name('tokenAuthMethod')} exclude each other: a public client has no token endpoint authentication (it uses PKCE)`;
  if (method === 'private_key_jwt' && !input.jwksUri) return `${name('tokenAuthMethod')} private_key_jwt needs ${name('jwksUri')}: where the client publishes its public keys`;
  if (method === 'private_key_jwt' && input.secret !== undefined) return `${name('tokenAuthMethod')} private_key_jwt and ${name('secret')} exclude each other: the client signs with its own key`;
  if (input.jwksUri && method !== 'private_key_jwt') return `${name('jwksUri')} is only for ${name('tokenAuthMethod')} private_key_jwt`;
  if (input.documents?.length) {
    const known = new Set(await lookups.documentIds());
    const unknown = input.documents.find((d) => !known.has(d));
    if (unknown !== undefined) return `${name('documents')}: no document with id "${unknown}" (see foyer documents list)`;
  }
  if (input.connectors) {
    const known = await lookups.connectorIds();
    const unknown = input.connectors.find((id) => !known.includes(id));
    if (unknown !== undefined) return `${name('connectors')}: "${unknown}" is not a configured connector (${known.join(', ') || 'none configured'})`;
  }
  return undefined;
}

interface LookupSources {
  consentRegistry: { seed(): Promise<unknown>; listDocuments(): Promise<{ id: string }[]> };
  connectors: { connectorIds(): Promise<string[]> };
}

/** The lookups from the services; documents from config are seeded first, so a fresh database knows them. */
export const clientRuleLookups = ({ consentRegistry, connectors }: LookupSources): ClientRuleLookups => ({
  async documentIds() {
    await consentRegistry.seed();
    return (await consentRegistry.listDocuments()).map((d) => d.id);
  },
  connectorIds: () => connectors.connectorIds(),
});
