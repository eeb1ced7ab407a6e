// Owns reading a client's profile needs from its Foyer metadata (foyer_profile_required, _optional,
// _per_visit): which fields it requires, which it would like, and how many optional ones a visit may ask.
import { fieldKeySchema } from '../config/profile-fields.ts';
import type { ClientProfileNeeds } from './policy.ts';

/** The most optional fields a client may have asked per visit. */
export const MAX_PROFILE_PER_VISIT = 20;

export const CLIENT_PROFILE_METADATA = ['foyer_profile_required', 'foyer_profile_optional', 'foyer_profile_per_visit'] as const;

const keyList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export function parseClientProfileNeeds(metadata: Record<string, unknown>): ClientProfileNeeds {
  const perVisit = metadata.foyer_profile_per_visit;
  return {
    required: keyList(metadata.foyer_profile_required),
    optional: keyList(metadata.foyer_profile_optional),
    perVisit: typeof perVisit === 'number' && Number.isInteger(perVisit) && perVisit >= 0 ? perVisit : undefined,
  };
}

/** The problem with a metadata value, for the provider's client validation and the CLI; undefined when fine. */
export function clientProfileMetadataProblem(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (key === 'foyer_profile_per_visit') {
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_PROFILE_PER_VISIT ? undefined : `${key} must be a whole number from 0 to ${MAX_PROFILE_PER_VISIT}`;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && fieldKeySchema.safeParse(v).success)) return `${key} must be a list of profile field keys`;
  return undefined;
}
