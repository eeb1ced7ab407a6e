// Keys the code composes from a value (a legal basis, a release reason, a channel, a passkey refusal) are
// invisible to the catalogue test's search for literal keys: each possible value has its message here.
import { describe, expect, it } from 'vitest';
import { readCatalogue } from '../../../src/i18n/catalogue.ts';
import { CHANNELS, LEGAL_BASES } from '../../../src/config/consent-schema.ts';
import type { ReleaseReason } from '../../../src/consent/release-rule.ts';
import { legalBasisText, releaseReasonText, releaseRuleText } from '../../../src/http/consent-routes.ts';

const english = readCatalogue('en');
const REASONS: readonly ReleaseReason[] = ['consented', 'legal_basis', 'no_consent', 'consent_withdrawn', 'objected', 'restricted', 'unknown_purpose'];

describe('composed message keys', () => {
  it('every legal basis, release reason and channel has its words', () => {
    const keys = [
      ...LEGAL_BASES.flatMap((b) => [`consent.basis.${b}.name`, `consent.basis.${b}.rights`, `consent.release_rule.${b}`]),
      ...REASONS.map((r) => `consent.release_reason.${r}`),
      ...CHANNELS.map((c) => `consent.channel.${c}`),
    ];
    expect(keys.filter((k) => !english.has(k))).toEqual([]);
  });

  it('reads them in English outside a request, with the purpose named', () => {
    expect(legalBasisText('consent')).toEqual({ name: 'Your consent', rights: 'You can give or withdraw it at any time in your account.' });
    expect(releaseRuleText('consent')).toBe('Only while you consent; never while you restrict processing.');
    expect(releaseReasonText('objected', 'Partner offers')).toBe('Not shared: you objected to Partner offers.');
  });
});
