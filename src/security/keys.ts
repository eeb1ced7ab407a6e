// Owns deriving purpose-specific keys from FOYER_SECRET (HKDF), so one secret serves several uses safely.
import { hkdfSync } from 'node:crypto';

export function deriveKey(secret: string, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `foyer:${purpose}`, length));
}
