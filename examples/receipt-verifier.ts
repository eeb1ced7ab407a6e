// Verifies a Foyer consent receipt (a compact JWS, ES256) against the issuer's receipt keys and prints its payload.
//
//   node examples/receipt-verifier.ts https://id.example.com "$RECEIPT"
//
// A customer downloads a receipt from /account/consents; an app gets one from the Account API
// (GET /account/api/consents/<receipt id>/receipt).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export interface ConsentReceipt extends JWTPayload {
  version: string;
  consentReceiptID: string;
  consentTimestamp: number;
  legalBasis: string;
  action: string;
  piiPrincipalId: string;
  services: { service: string; purposes: { purpose: string; consentType: string; purposeCategory: string[]; piiCategory: string[] }[] }[];
}

export async function verifyReceipt(issuer: string, receipt: string): Promise<ConsentReceipt> {
  const keys = createRemoteJWKSet(new URL(`${issuer}/consent/receipts/jwks.json`));
  const { payload } = await jwtVerify<ConsentReceipt>(receipt, keys, { issuer, algorithms: ['ES256'] });
  return payload;
}

if (import.meta.main) {
  const [issuer, receipt] = process.argv.slice(2);
  if (!issuer || !receipt) throw new Error('usage: node examples/receipt-verifier.ts ISSUER RECEIPT');
  console.log(JSON.stringify(await verifyReceipt(issuer.replace(/\/$/, ''), receipt), null, 2));
}
