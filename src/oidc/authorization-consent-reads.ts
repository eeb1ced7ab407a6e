// Owns the consent reads of one authorization request: the consent on record for the client (its grant) and the
// documents still to accept (the terms prompt), read together in one statement and shared within the request.
import type { ClientConsent, DocumentVersion } from '../consent/queries.ts';
import type { ConsentService } from '../consent/service.ts';

export interface AuthorizationConsent {
  clientConsent: ClientConsent | undefined;
  pending: DocumentVersion[];
}

export type AuthorizationConsentReads = (request: object, accountId: string, clientId: string) => Promise<AuthorizationConsent>;

/** Reads once per request (keyed by the request's context) and account and client; a later request reads afresh. */
export function createAuthorizationConsentReads(consent: Pick<ConsentService, 'clientConsentAndPendingDocuments'>): AuthorizationConsentReads {
  const reads = new WeakMap<object, { key: string; read: Promise<AuthorizationConsent> }>();
  return (request, accountId, clientId) => {
    const key = `${accountId} ${clientId}`;
    const known = reads.get(request);
    if (known?.key === key) return known.read;
    const read = consent.clientConsentAndPendingDocuments(accountId, clientId);
    reads.set(request, { key, read });
    return read;
  };
}
