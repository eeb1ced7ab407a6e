// Owns issuing consent receipts: a customer's own ledger record, described from the registry and signed
// (compact JWS, a JWT) with the receipt key. Another account's receipt id is indistinguishable from none.
import { SignJWT } from 'jose';
import type { ConsentQueries, ConsentRecord } from '../queries.ts';
import type { ConsentRegistry } from '../registry/registry.ts';
import type { ReceiptKeys } from './keys.ts';
import { RECEIPT_ALG } from './keys.ts';
import { buildReceiptPayload, type ReceiptSettings, type ReceiptSubject } from './receipt.ts';

const PII_OF_CHANNEL: Record<string, string> = { email: 'email address', sms: 'phone number', push: 'device push token' };

export function createReceiptService(deps: { queries: ConsentQueries; registry: ConsentRegistry; keys: ReceiptKeys; settings: ReceiptSettings }) {
  const { registry, settings } = deps;

  async function describe(record: ConsentRecord): Promise<ReceiptSubject> {
    const base = { service: settings.brandName, thirdPartyDisclosure: false, primaryPurpose: false };
    const details = record.details;
    switch (record.subjectKind) {
      case 'document':
        return { ...base, primaryPurpose: true, purpose: `Acceptance of ${String(details.title ?? record.subjectRef)} (version ${String(details.version ?? '')})`,
          purposeCategory: ['contract'], piiCategory: ['account'], termination: 'Until the account is closed, or a new material version asks for acceptance again' };
      case 'client_scopes': {
        // A grant lists what it granted; a withdrawal (Remove access, in the portal) what it withdrew.
        const list = record.action === 'withdraw' ? details.withdrawn : details.granted;
        const scopes = Array.isArray(list) ? list.map(String) : [];
        return { ...base, service: record.clientId ?? record.subjectRef, purpose: `Sharing of ${scopes.join(', ') || 'no scopes'} with the app ${record.subjectRef}`,
          purposeCategory: ['sign-in to the app'], piiCategory: scopes, termination: 'Until access is withdrawn in the account' };
      }
      case 'purpose': {
        const purpose = await registry.findPurpose(record.subjectRef);
        const text = purpose ? registry.text(purpose.texts, [settings.language]) : undefined;
        return { ...base, purpose: text ? `${text.name}: ${text.description}` : record.subjectRef, purposeCategory: [record.subjectRef],
          piiCategory: purpose?.dataCategories ?? [], thirdPartyDisclosure: purpose?.thirdPartyDisclosure ?? false,
          termination: record.legalBasis === 'consent' ? 'Until consent is withdrawn in the account' : 'Until the objection is withdrawn in the account' };
      }
      case 'preference': {
        const [topicId = '', channel = ''] = record.subjectRef.split(':');
        const topic = (await registry.listTopics()).find((t) => t.id === topicId);
        const name = topic ? registry.text(topic.texts, [settings.language]).name : topicId;
        return { ...base, purpose: `Communication about ${name} by ${channel}`, purposeCategory: ['communication', topicId],
          piiCategory: [PII_OF_CHANNEL[channel] ?? channel], termination: 'Until the customer opts out' };
      }
      case 'brand_sharing': {
        // A grant lists the fields shared with the brand; a withdrawal those it stopped sharing.
        const list = record.action === 'withdraw' ? details.withdrawn : details.fields;
        const fields = Array.isArray(list) ? list.map(String) : [];
        return { ...base, service: record.subjectRef, purpose: `Sharing of ${fields.join(', ') || 'no profile fields'} with the brand ${record.subjectRef}`,
          purposeCategory: ['sharing across brands'], piiCategory: fields, thirdPartyDisclosure: true, termination: 'Until sharing is stopped in the account' };
      }
    }
  }

  return {
    /** The signed receipt of one of the account's own records, or undefined. */
    async receiptFor(accountId: string, receiptId: string): Promise<string | undefined> {
      const record = await deps.queries.findConsentRecordOfAccount(accountId, receiptId);
      if (!record) return undefined;
      const { kid, key, publicJwk } = await deps.keys.signingKey();
      return new SignJWT({ ...buildReceiptPayload(record, await describe(record), settings), publicKey: publicJwk })
        .setProtectedHeader({ alg: RECEIPT_ALG, kid, typ: 'JWT' })
        .sign(key);
    },
    jwks: () => deps.keys.jwks(),
  };
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
