// Owns which claims a restricted account still releases: those of purposes resting on contract or legal
// obligation — the email when such a purpose covers it, and every profile field held for such a purpose.
import { ESSENTIAL_LEGAL_BASES, type EssentialClaims } from './restriction.ts';

export interface EssentialClaimSources {
  listPurposes(): Promise<{ id: string; legalBasis: string; dataCategories: string[] }[]>;
  /** The profile fields of the current schema: the purpose each is held for, and its claim name. */
  profileFields(): { purpose?: string | undefined; claimName: string }[];
}

export function createEssentialClaims(sources: EssentialClaimSources): EssentialClaims {
  return async () => {
    const essential = (await sources.listPurposes()).filter((p) => ESSENTIAL_LEGAL_BASES.has(p.legalBasis));
    const ids = new Set(essential.map((p) => p.id));
    const claims = new Set<string>();
    if (essential.some((p) => p.dataCategories.includes('email'))) for (const claim of ['email', 'email_verified']) claims.add(claim);
    for (const field of sources.profileFields()) if (field.purpose && ids.has(field.purpose)) claims.add(field.claimName);
    return claims;
  };
}
