// Owns the profile schema as the rest of Foyer sees it: the enabled fields in order, each field's claim
// name, and the scope → claims map that custom scopes and claims add to the standard OpenID ones.
import { RESERVED_CLAIMS, STANDARD_PROFILE_CLAIMS, type ProfileFieldDefinition } from '../config/profile-fields.ts';

export type { ProfileFieldDefinition } from '../config/profile-fields.ts';

export interface ProfileField extends ProfileFieldDefinition {
  /** The claim name an app receives the value under. */
  claimName: string;
  standard: boolean;
}

export interface ProfileSchema {
  /** Enabled fields, in the admin's order. */
  fields: ProfileField[];
  byKey: Map<string, ProfileField>;
  /** Scopes and the claims of profile fields they release (only what the schema adds). A disabled field's
   * scope stays known (releasing nothing), so clients registered with it keep working. */
  scopeClaims: Record<string, string[]>;
  /** Keys of defined fields that are disabled: their values are kept, never asked, never released. */
  disabledKeys: ReadonlySet<string>;
  version: string;
}

const STANDARD = new Set<string>(STANDARD_PROFILE_CLAIMS);

/** The claim name an app receives a field's value under: its own, else the key (standard) or namespace + key. */
export function claimNameOf(definition: Pick<ProfileFieldDefinition, 'key' | 'claim'>, claimNamespace: string): string {
  return definition.claim ?? (STANDARD.has(definition.key) ? definition.key : `${claimNamespace}${definition.key}`);
}

export function buildProfileSchema(definitions: ProfileFieldDefinition[], options: { claimNamespace: string; version: string }): ProfileSchema {
  const fields = definitions.filter((d) => d.enabled).map((d): ProfileField => ({ ...d, standard: STANDARD.has(d.key), claimName: claimNameOf(d, options.claimNamespace) }))
    .filter((f) => !RESERVED_CLAIMS.has(f.claimName)); // a namespace must not turn a custom field into sub or email
  const scopeClaims: Record<string, string[]> = {};
  for (const field of fields) {
    if (field.scope === null) continue;
    (scopeClaims[field.scope] ??= []).push(field.claimName);
  }
  for (const d of definitions) if (!d.enabled && d.scope !== null) scopeClaims[d.scope] ??= [];
  const enabled = new Set(fields.map((f) => f.key));
  const disabledKeys = new Set(definitions.map((d) => d.key).filter((key) => !enabled.has(key)));
  return { fields, byKey: new Map(fields.map((f) => [f.key, f])), scopeClaims, disabledKeys, version: options.version };
}

/** The standard map with the schema's additions: what the provider, the consent page and grants use. */
export function mergeScopeClaims(base: Record<string, readonly string[]>, added: Record<string, readonly string[]>): Record<string, string[]> {
  const merged: Record<string, string[]> = Object.fromEntries(Object.entries(base).map(([scope, claims]) => [scope, [...claims]]));
  for (const [scope, claims] of Object.entries(added)) {
    merged[scope] = [...new Set([...(merged[scope] ?? []), ...claims])];
  }
  return merged;
}

/** The label in the best locale the customer accepts, else English, else the first one given. */
export function pickLocale(labels: Record<string, string> | undefined, accepted: string[]): string | undefined {
  if (!labels) return undefined;
  for (const wanted of accepted) {
    const exact = labels[wanted] ?? labels[wanted.split('-')[0]!];
    if (exact) return exact;
  }
  return labels.en ?? Object.values(labels)[0];
}
