// Owns the content of a consent receipt: one ledger record in the shape of the Kantara Consent Receipt
// v1.1 (ISO/IEC 27560's model), plus Foyer's legal basis and action. Pure: no keys, no database.
import type { ConsentRecord } from '../queries.ts';

export const RECEIPT_VERSION = 'KI-CR-v1.1.0';

export interface ReceiptSettings {
  issuer: string;
  brandName: string;
  jurisdiction: string;
  policyUrl: string;
  language: string;
  controller: { name: string; contact?: string | undefined; email?: string | undefined; address?: string | undefined };
}

/** What the record is about, in words and categories (looked up in the registry by the caller). */
export interface ReceiptSubject {
  service: string;
  purpose: string;
  purposeCategory: string[];
  piiCategory: string[];
  termination: string;
  thirdPartyDisclosure: boolean;
  primaryPurpose: boolean;
}

const COLLECTION_METHODS: Record<string, string> = {
  'sign-in': 'Accepted on the sign-in page',
  'sign-up': 'Accepted on the sign-up page',
  'consent-page': 'Chosen on the consent page of the sign-in',
  account: 'Chosen in the customer\'s account pages',
  'account-api': 'Chosen through the Account API',
  'email-confirmation': 'Confirmed through a link mailed to the address',
};

function consentType(record: ConsentRecord): string {
  if (record.subjectKind === 'purpose' && record.legalBasis !== 'consent') return record.action === 'withdraw' ? 'OBJECTION' : 'OBJECTION-WITHDRAWN';
  return record.action === 'grant' ? 'EXPLICIT' : 'WITHDRAWN';
}

export function buildReceiptPayload(record: ConsentRecord, subject: ReceiptSubject, settings: ReceiptSettings): Record<string, unknown> {
  const consentTimestamp = Math.floor(record.createdAt.getTime() / 1000);
  const { controller } = settings;
  return {
    // JWT claims, so any JOSE library checks issuer and subject.
    iss: settings.issuer,
    sub: record.accountId,
    iat: consentTimestamp,
    jti: record.id,
    version: RECEIPT_VERSION,
    jurisdiction: settings.jurisdiction,
    consentTimestamp,
    collectionMethod: COLLECTION_METHODS[record.channel] ?? record.channel,
    consentReceiptID: record.id,
    language: settings.language,
    piiPrincipalId: record.accountId,
    dataController: {
      onBehalf: false,
      org: controller.name,
      ...(controller.contact ? { contact: controller.contact } : {}),
      ...(controller.email ? { email: controller.email } : {}),
      ...(controller.address ? { address: controller.address } : {}),
    },
    piiControllers: [{ piiController: controller.name, ...(controller.contact ? { contact: controller.contact } : {}), ...(controller.email ? { email: controller.email } : {}), ...(controller.address ? { address: controller.address } : {}) }],
    policyUrl: settings.policyUrl,
    services: [{
      service: subject.service,
      purposes: [{
        purpose: subject.purpose,
        purposeCategory: subject.purposeCategory,
        consentType: consentType(record),
        piiCategory: subject.piiCategory,
        primaryPurpose: subject.primaryPurpose,
        termination: subject.termination,
        thirdPartyDisclosure: subject.thirdPartyDisclosure,
      }],
    }],
    sensitive: false,
    spiCat: [],
    legalBasis: record.legalBasis,
    action: record.action,
    subjectKind: record.subjectKind,
    subjectRef: record.subjectRef,
    ...(record.clientId ? { clientId: record.clientId } : {}),
  };
}
