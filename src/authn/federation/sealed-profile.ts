// Owns how upstream profile values wait in a flow row between pages: sealed with the secret box (they are
// personal data) and bound to the connector and upstream subject they came from.
import { z } from 'zod';
import type { SecretBox } from '../../security/envelope.ts';
import { IMPORTABLE_FIELDS, type ImportableField } from './presets.ts';

const profileSchema = z.partialRecord(z.enum(IMPORTABLE_FIELDS), z.string());
const context = (connector: string, subject: string) => `federation-profile:${connector}:${subject}`;

export function sealProfile(box: SecretBox, connector: string, subject: string, profile: Partial<Record<ImportableField, string>>): string {
  return box.encrypt(JSON.stringify(profile), context(connector, subject));
}

/** The sealed values, or none when there were none (flows from before this change carry no profile). */
export function openProfile(box: SecretBox, connector: string, subject: string, sealed: string | undefined): Partial<Record<ImportableField, string>> {
  return sealed ? profileSchema.parse(JSON.parse(box.decrypt(sealed, context(connector, subject)))) : {};
}
