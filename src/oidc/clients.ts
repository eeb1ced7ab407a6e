// Owns the clients table: relying apps registered by the CLI or the admin API, secrets sealed at rest.
import type { AdapterPayload } from 'oidc-provider';
import { parseClientMfaPolicy, type ClientMfaPolicy } from '../authn/mfa/policy.ts';
import type { Db } from '../db/create-db.ts';
import { createReadCache } from '../cache/read-cache.ts';
import type { SecretBox } from '../security/envelope.ts';
import { randomToken } from '../security/tokens.ts';
import { OIDC_SCOPES } from '../consent/scope-claims.ts';
import { ClientExistsError, TOKEN_AUTH_METHODS, type ClientChange, type ClientInput, type IdTokenAlg, type TokenAuthMethod } from '../clients/input.ts';


export interface ClientView {
  client_id: string;
  client_name: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  first_party: boolean;
  mfa: ClientMfaPolicy;
  documents: string[];
  profile_required: string[];
  profile_optional: string[];
  profile_per_visit: number | null;
  /** Absent: the sign-in page shows every enabled connector. */
  connectors?: string[];
  id_token_signed_response_alg: IdTokenAlg;
  jwks_uri?: string;
  created_at: string;
}

interface ClientRow {
  client_id: string;
  name: string;
  metadata: AdapterPayload;
  secret_encrypted: string | null;
  first_party: boolean;
  created_at: Date;
}

export const DEFAULT_CLIENT_SCOPE = 'openid email profile offline_access';

// oidc-provider looks its client up on every request; a few seconds of cache spares a query and a
// decryption each time.
const CLIENT_CACHE_MS = 5000;

/** The oidc-provider metadata of a client as registered by the CLI, the admin API or the server itself. */
function clientMetadata(input: ClientInput, customOidcScopes: string[] = []) {
  const grantTypes = input.grantTypes?.length ? input.grantTypes : ['authorization_code', 'refresh_token'];
  // oidc-provider checks `scope` against its own (OpenID) scopes; API scopes are Foyer's to enforce.
  const requested = (input.scope ?? DEFAULT_CLIENT_SCOPE).split(/\s+/).filter(Boolean);
  const known = [...OIDC_SCOPES, ...customOidcScopes];
  const oidcScopes = requested.filter((s) => known.includes(s));
  const apiScopes = requested.filter((s) => !known.includes(s));
  return {
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
    grant_types: grantTypes,
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    scope: (oidcScopes.length ? oidcScopes : ['openid']).join(' '),
    foyer_api_scopes: apiScopes,
    token_endpoint_auth_method: input.public ? 'none' : (input.tokenAuthMethod ?? 'client_secret_basic'),
    ...(input.idTokenAlg ? { id_token_signed_response_alg: input.idTokenAlg } : {}),
    ...(input.jwksUri && !input.public ? { jwks_uri: input.jwksUri } : {}),
    ...(input.backchannelLogoutUri ? { backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    ...(input.mfa ? { foyer_mfa: input.mfa } : {}),
    ...(input.requireAuthTime ? { require_auth_time: true } : {}),
    ...(input.documents?.length ? { foyer_documents: input.documents } : {}),
    ...(input.connectors ? { foyer_connectors: input.connectors } : {}),
    ...(input.profileRequired?.length ? { foyer_profile_required: input.profileRequired } : {}),
    ...(input.profileOptional?.length ? { foyer_profile_optional: input.profileOptional } : {}),
    ...(input.profilePerVisit !== undefined ? { foyer_profile_per_visit: input.profilePerVisit } : {}),
  };
}

export function createClientStore(db: Db, box: SecretBox, customOidcScopes: () => Promise<string[]> = async () => []) {
  const secretContext = (clientId: string) => `client:${clientId}`;
  const cache = createReadCache<AdapterPayload>(CLIENT_CACHE_MS);

  function toView(row: ClientRow, secret?: string): ClientView {
    const m = row.metadata as Record<string, unknown>;
    return {
      client_id: row.client_id,
      client_name: row.name,
      ...(secret ? { client_secret: secret } : {}),
      redirect_uris: (m.redirect_uris as string[]) ?? [],
      post_logout_redirect_uris: (m.post_logout_redirect_uris as string[]) ?? [],
      grant_types: (m.grant_types as string[]) ?? [],
      scope: [m.scope as string ?? '', ...((m.foyer_api_scopes as string[] | undefined) ?? [])].join(' ').trim(),
      token_endpoint_auth_method: (m.token_endpoint_auth_method as string) ?? 'client_secret_basic',
      first_party: row.first_party,
      mfa: parseClientMfaPolicy(m.foyer_mfa) ?? 'optional',
      documents: (m.foyer_documents as string[] | undefined) ?? [],
      profile_required: (m.foyer_profile_required as string[] | undefined) ?? [],
      profile_optional: (m.foyer_profile_optional as string[] | undefined) ?? [],
      profile_per_visit: (m.foyer_profile_per_visit as number | undefined) ?? null,
      ...(Array.isArray(m.foyer_connectors) ? { connectors: m.foyer_connectors as string[] } : {}),
      id_token_signed_response_alg: m.id_token_signed_response_alg === 'RS256' ? 'RS256' : 'ES256',
      ...(typeof m.jwks_uri === 'string' ? { jwks_uri: m.jwks_uri } : {}),
      created_at: new Date(row.created_at).toISOString(),
    };
  }

  function toInput(row: ClientRow): ClientInput {
    const view = toView(row);
    const m = row.metadata as Record<string, unknown>;
    return {
      clientId: row.client_id, name: row.name, redirectUris: view.redirect_uris, postLogoutRedirectUris: view.post_logout_redirect_uris,
      public: view.token_endpoint_auth_method === 'none', scope: view.scope || undefined, grantTypes: view.grant_types, firstParty: row.first_party,
      backchannelLogoutUri: typeof m.backchannel_logout_uri === 'string' ? m.backchannel_logout_uri : undefined,
      mfa: parseClientMfaPolicy(m.foyer_mfa), documents: view.documents, requireAuthTime: m.require_auth_time === true,
      profileRequired: view.profile_required, profileOptional: view.profile_optional, profilePerVisit: view.profile_per_visit ?? undefined,
      connectors: view.connectors,
      idTokenAlg: m.id_token_signed_response_alg === undefined ? undefined : view.id_token_signed_response_alg,
      tokenAuthMethod: (TOKEN_AUTH_METHODS as readonly string[]).includes(view.token_endpoint_auth_method) ? view.token_endpoint_auth_method as TokenAuthMethod : undefined,
      jwksUri: view.jwks_uri,
    };
  }

  const store = {
    async findClientMetadata(clientId: string): Promise<AdapterPayload | undefined> {
      return cache.get(clientId, async () => {
        const row = (await db.raw<{ rows: ClientRow[] }>('SELECT * FROM clients WHERE client_id = ?', [clientId])).rows[0];
        if (!row) return undefined;
        const metadata: AdapterPayload = { ...row.metadata, client_id: row.client_id, client_name: row.name, foyer_first_party: row.first_party };
        // oidc-provider lets a client without `scope` metadata ask for any scope it knows (the Account API's
        // `account` included): such a row gets the default list, which never carries `account`.
        if (typeof metadata.scope !== 'string' || !metadata.scope) metadata.scope = DEFAULT_CLIENT_SCOPE;
        if (row.secret_encrypted) metadata.client_secret = box.decrypt(row.secret_encrypted, secretContext(row.client_id));
        return metadata;
      });
    },
    /** The documents this client requires (its foyer_documents); none for an unknown client. */
    clientDocuments: async (clientId: string): Promise<string[]> => {
      const metadata = await store.findClientMetadata(clientId);
      const documents = metadata?.foyer_documents;
      return Array.isArray(documents) ? documents.map(String) : [];
    },
    async addClient(input: ClientInput): Promise<ClientView> {
      const secret = usesSecret(input) ? (input.secret ?? randomToken(32)) : undefined;
      const metadata = clientMetadata(input, await customOidcScopes());
      const row = {
        client_id: input.clientId,
        name: input.name ?? input.clientId,
        metadata: JSON.stringify(metadata),
        secret_encrypted: secret ? box.encrypt(secret, secretContext(input.clientId)) : null,
        first_party: input.firstParty ?? false,
      };
      cache.forget(input.clientId);
      const inserted = await db('clients').insert(row).onConflict('client_id').ignore().returning('*') as ClientRow[];
      if (inserted.length === 0) throw new ClientExistsError(input.clientId);
      return toView(inserted[0]!, input.secret ? undefined : secret);
    },
    /** A registered client as input again (its secret aside), to check a change against the rules. */
    async clientInput(clientId: string): Promise<ClientInput | undefined> {
      const row = await db<ClientRow>('clients').where({ client_id: clientId }).first();
      return row && toInput(row);
    },
    /**
     * Changes a client; only what `change` carries changes (an undefined value clears it). Undefined: no such client.
     * Moving to private_key_jwt drops the secret; moving from it to a secret method makes one, shown in this answer only.
     */
    async updateClient(clientId: string, change: ClientChange): Promise<ClientView | undefined> {
      const row = await db<ClientRow>('clients').where({ client_id: clientId }).first();
      if (!row) return undefined;
      const input = { ...toInput(row), ...change };
      const newSecret = usesSecret(input) && !row.secret_encrypted ? randomToken(32) : undefined;
      const secretChange = !usesSecret(input) ? { secret_encrypted: null } : newSecret ? { secret_encrypted: box.encrypt(newSecret, secretContext(clientId)) } : {};
      cache.forget(clientId);
      const [updated] = await db('clients').where({ client_id: clientId })
        .update({
          name: input.name ?? clientId, metadata: JSON.stringify(clientMetadata(input, await customOidcScopes())), first_party: input.firstParty ?? false,
          ...secretChange, updated_at: db.fn.now(),
        })
        .returning('*') as ClientRow[];
      return updated && toView(updated, newSecret);
    },
    /** A new generated secret for a confidential client (the old one stops working at once); undefined for a public or unknown one. */
    async rotateClientSecret(clientId: string): Promise<string | undefined> {
      const secret = randomToken(32);
      cache.forget(clientId);
      const updated = await db('clients').where({ client_id: clientId }).whereNotNull('secret_encrypted')
        .update({ secret_encrypted: box.encrypt(secret, secretContext(clientId)), updated_at: db.fn.now() });
      return updated > 0 ? secret : undefined;
    },
    async listClients(): Promise<ClientView[]> {
      return ((await db('clients').orderBy('created_at')) as ClientRow[]).map((row) => toView(row));
    },
    async showClient(clientId: string): Promise<ClientView | undefined> {
      const row = await db<ClientRow>('clients').where({ client_id: clientId }).first();
      return row && toView(row);
    },
    async removeClient(clientId: string): Promise<boolean> {
      cache.forget(clientId);
      const removed = await db('clients').where({ client_id: clientId }).delete();
      if (removed) {
        await db('oidc_models').whereIn('grant_id', db('oidc_models').select('id').where('model', 'Grant').andWhereRaw("payload->>'clientId' = ?", [clientId])).delete();
        await db('oidc_models').where('model', 'Grant').andWhereRaw("payload->>'clientId' = ?", [clientId]).delete();
      }
      return removed > 0;
    },
    /** Registers or updates a client Foyer itself needs (the account portal's), keeping its id. */
    async ensureClient(input: ClientInput): Promise<void> {
      if (!input.public) throw new Error('ensureClient registers public clients only');
      cache.forget(input.clientId);
      await db('clients').insert({ client_id: input.clientId, name: input.name ?? input.clientId, metadata: JSON.stringify(clientMetadata(input)), first_party: input.firstParty ?? false })
        .onConflict('client_id').merge(['name', 'metadata', 'first_party', 'updated_at']);
    },
    /** Origins of the redirect URIs of clients registered with `scope` (CORS for the Account API). */
    async listRedirectOriginsOfClientsWithScope(scope: string): Promise<string[]> {
      const rows = await db('clients').whereRaw("metadata->>'scope' LIKE ?", [`%${scope}%`]).select('metadata') as { metadata: Record<string, unknown> }[];
      const origins = new Set<string>();
      for (const { metadata } of rows) {
        if (!String(metadata.scope ?? '').split(' ').includes(scope)) continue;
        for (const uri of (metadata.redirect_uris as string[] | undefined) ?? []) {
          try {
            origins.add(new URL(uri).origin);
          } catch { /* a malformed stored URI contributes no origin */ }
        }
      }
      return [...origins];
    },
    async countClients(): Promise<number> {
      const row = await db('clients').count<{ count: string | number }[]>('* as count');
      return Number(row[0]?.count ?? 0);
    },
  };
  return store;
}

/** A confidential client that authenticates with a shared secret (not a public one, not private_key_jwt). */
const usesSecret = (input: Pick<ClientInput, 'public' | 'tokenAuthMethod'>) => !input.public && input.tokenAuthMethod !== 'private_key_jwt';

export type ClientStore = ReturnType<typeof createClientStore>;
