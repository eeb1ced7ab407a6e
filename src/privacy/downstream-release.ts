// Owns what a downstream system (a webhook) may receive about a customer: a profile field only while the
// customer's choice on its purpose allows processing (consent given, no objection), the email only while a
// purpose covering email does, and, while processing is restricted, only fields of contract or
// legal-obligation purposes. The same rule feeds deliveries and the account pages' "sent to" lists.
import { ESSENTIAL_LEGAL_BASES } from './restriction.ts';

/** `email` and `email_verified` travel together as the account's address. */
export const EMAIL_FIELD = 'email';

export interface DownstreamReleaseSources {
  /** The enabled profile fields: each one's key and the purpose it is held for. */
  profileFields(): { key: string; purpose: string }[];
  /** Each purpose with the account's decision on it. */
  purposeStates(accountId: string): Promise<{ purpose: { id: string; legalBasis: string; dataCategories: string[] }; decision: { allowed: boolean } }[]>;
  /** The account's address, profile values and restriction flag; undefined once it is gone or erased. */
  findAccount(accountId: string): Promise<{ email: string | null; emailVerified: boolean; restricted: boolean; erased: boolean; profile: Record<string, unknown> } | undefined>;
}

export interface Release {
  /** Field → value (null while the customer has not given one). */
  values: Record<string, unknown>;
  /** Fields the system subscribed to that it may not have now (it should stop using what it holds). */
  withheld: string[];
}

export function createDownstreamRelease(sources: DownstreamReleaseSources) {
  /** Of `wanted`, the fields the account's choices let a downstream system have now. */
  async function allowedFields(accountId: string, wanted: readonly string[], restricted: boolean): Promise<Set<string>> {
    const states = await sources.purposeStates(accountId);
    const usable = new Map(states.map((s) => [s.purpose.id, s.decision.allowed && (!restricted || ESSENTIAL_LEGAL_BASES.has(s.purpose.legalBasis))]));
    const purposeOf = new Map(sources.profileFields().map((f) => [f.key, f.purpose]));
    const emailAllowed = states.some((s) => usable.get(s.purpose.id) && s.purpose.dataCategories.includes('email'));
    return new Set(wanted.filter((key) => (key === EMAIL_FIELD ? emailAllowed : Boolean(usable.get(purposeOf.get(key) ?? '')))));
  }

  return {
    async release(accountId: string, wanted: readonly string[]): Promise<Release> {
      const account = await sources.findAccount(accountId);
      if (!account || account.erased) return { values: {}, withheld: [...wanted] };
      const allowed = await allowedFields(accountId, wanted, account.restricted);
      const values: Record<string, unknown> = {};
      for (const key of wanted) {
        if (!allowed.has(key)) continue;
        if (key === EMAIL_FIELD) Object.assign(values, { email: account.email, email_verified: account.emailVerified });
        else values[key] = account.profile[key] ?? null;
      }
      return { values, withheld: wanted.filter((key) => !allowed.has(key)) };
    },
    /** For the account pages: which of `wanted` go downstream for this account now. */
    async receivedFields(accountId: string, wanted: readonly string[]): Promise<Set<string>> {
      const account = await sources.findAccount(accountId);
      if (!account || account.erased) return new Set();
      return allowedFields(accountId, wanted, account.restricted);
    },
  };
}

export type DownstreamRelease = ReturnType<typeof createDownstreamRelease>;
