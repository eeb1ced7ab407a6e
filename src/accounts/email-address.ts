// Owns what an email address is to Foyer: the form it is kept and shown in, the key it is compared and
// hashed by, and what the edges accept. Unicode NFC throughout, so "é" composed and decomposed are one address.
import { z } from 'zod';

/** The form an address is kept and shown in: Unicode NFC, no surrounding space, case as typed. */
export const canonicalEmail = (email: string): string => email.normalize('NFC').trim();

/** The key addresses are compared and hashed by: the canonical form lower-cased (NFC again: lower-casing can decompose). */
export const normalizeEmail = (email: string): string => canonicalEmail(email).toLowerCase().normalize('NFC');

// Internationalised addresses (RFC 6531): letters, marks and digits of any script where ASCII allows
// letters and digits, the few specials addresses really use, and a domain whose last label is letters.
const LOCAL = "[\\p{L}\\p{M}\\p{N}_'+-]+(?:\\.[\\p{L}\\p{M}\\p{N}_'+-]+)*";
const DOMAIN = '(?:[\\p{L}\\p{M}\\p{N}][\\p{L}\\p{M}\\p{N}-]*\\.)+(?:[\\p{L}\\p{M}]{2,}|xn--[a-z0-9-]+)';
export const EMAIL_ADDRESS = new RegExp(`^${LOCAL}@${DOMAIN}$`, 'iu');

/** An address typed into a form or sent to an API: checked, and canonical when valid (messages are catalogue keys). */
export const emailSchema = z.string().transform(canonicalEmail)
  .pipe(z.string().max(254, 'common.email.too_long').regex(EMAIL_ADDRESS, 'common.email.invalid'));
