// Pure consent rules: choosing a text by locale with fallback and the receipt payload's Kantara fields
// (the release rule has its own file, release-rule.test.ts).
import { describe, expect, it } from 'vitest';
import { buildReceiptPayload } from '../../../src/consent/receipts/receipt.ts';
import { pickText } from '../../../src/consent/texts.ts';

const texts = { en: { name: 'Security', description: 'e' }, de: { name: 'Sicherheit', description: 'd' }, 'pt-BR': { name: 'Segurança', description: 'p' } };

describe('pickText', () => {
  it('takes the first wanted locale there is a text for, then its base language, then the default, then any', () => {
    expect(pickText(texts, ['fr', 'de'], 'en').name).toBe('Sicherheit');
    expect(pickText(texts, ['de-CH'], 'en')).toMatchObject({ name: 'Sicherheit', locale: 'de' });
    expect(pickText(texts, ['pt-br'], 'en').name).toBe('Segurança');
    expect(pickText(texts, ['ja'], 'en').name).toBe('Security');
    expect(pickText({ fr: { name: 'Sécurité', description: 'f' } }, [], 'en').name).toBe('Sécurité');
  });
});

describe('buildReceiptPayload', () => {
  it('maps a ledger record onto the Kantara v1.1 fields plus legal basis and action', () => {
    const createdAt = new Date('2026-12-01T10:00:00Z');
    const payload = buildReceiptPayload(
      { id: 'rcpt_1', accountId: 'acc', subjectKind: 'purpose', subjectRef: 'security', action: 'withdraw', details: {}, legalBasis: 'legitimate_interest', channel: 'account', clientId: null, ip: '192.0.2.1', createdAt, erasedAt: null },
      { service: 'Shop', purpose: 'Security', purposeCategory: ['security'], piiCategory: ['ip address'], termination: 't', thirdPartyDisclosure: false, primaryPurpose: false },
      { issuer: 'https://id.example', brandName: 'Shop', jurisdiction: 'EU', policyUrl: 'https://id.example/privacy', language: 'en', controller: { name: 'Shop Ltd' } },
    );
    expect(payload).toMatchObject({
      iss: 'https://id.example', sub: 'acc', jti: 'rcpt_1', iat: createdAt.getTime() / 1000, version: 'KI-CR-v1.1.0', consentTimestamp: createdAt.getTime() / 1000,
      consentReceiptID: 'rcpt_1', collectionMethod: "Chosen in the customer's account pages", dataController: { org: 'Shop Ltd' }, legalBasis: 'legitimate_interest', action: 'withdraw',
    });
    expect((payload.services as { purposes: { consentType: string }[] }[])[0]!.purposes[0]!.consentType).toBe('OBJECTION');
    expect(JSON.stringify(payload)).not.toContain('192.0.2.1');
  });
});
