// Owns applying the release rule to a customer's fields for a recipient: the recipient names what it may
// have (an app by its granted scopes, a webhook by its subscribed fields) and only those fields whose purpose
// the rule allows now leave. ID tokens, userinfo, webhooks and the account pages' "why not" all come here.
import type { LegalBasis } from '../config/consent-schema.ts';
import { RESERVED_CLAIMS } from '../config/profile-fields.ts';
import type { PurposeStanding } from './purposes.ts';
import type { ReleaseReason } from './release-rule.ts';

/** `email` and `email_verified` travel together as the account's address. */
export const EMAIL_FIELD = 'email';
const EMAIL_CLAIMS = ['email', 'email_verified'];

export interface ReleasableAccount {
  id: string;
  email: string | null;
  emailVerified: boolean;
  profile: Record<string, unknown>;
  /** Whether the account restricted processing, when the caller read it with the account (saves reading it again). */
  processingRestricted?: boolean;
}

export interface FieldReleaseSources {
  /** The enabled profile fields: key, the claim an app receives it under, the purpose it is held for. */
  profileFields(): readonly { key: string; claimName: string; purpose: string }[];
  /** Keys of defined fields that are disabled: their values are kept, never released. */
  disabledKeys(): ReadonlySet<string>;
  /** Every purpose with the account's state on it (restriction included, read unless given), read fresh. */
  purposeStates(accountId: string, processingRestricted?: boolean): Promise<PurposeStanding[]>;
  /** The account's address and values; undefined once it is gone or erased. */
  findAccount(accountId: string): Promise<ReleasableAccount | undefined>;
  /** The purposes' standings as a subquery an account's read can carry (`a.id` the account's id), and its value made standings. */
  standingsWithAccount?: { sql: string; standings(value: unknown, processingRestricted: boolean): PurposeStanding[] };
}

/** Why a field may or may not leave Foyer now. */
export interface FieldVerdict {
  key: string;
  /** The claim names it travels under to apps. */
  claims: string[];
  /** The purpose that decides (for the email: the first covering purpose that allows it, else the first covering one). */
  purpose: string | undefined;
  basis: LegalBasis | undefined;
  released: boolean;
  reason: ReleaseReason;
}

export interface Release {
  /** Field → value (null while the customer has not given one); the email as email and email_verified. */
  values: Record<string, unknown>;
  /** Fields the recipient may have by its subscription but not now (it should stop using what it holds). */
  withheld: string[];
}

/**
 * A stored value whose key no field defines (imported, captured before the field existed) is held for the
 * purpose a field definition defaults to, under its key as claim name.
 */
const UNDEFINED_FIELD_PURPOSE = 'account';

type FieldShape = { key: string; claimName: string; purpose: string };

const verdictOf = (key: string, claims: string[], standing: PurposeStanding | undefined, purposeId?: string): FieldVerdict => standing
  ? { key, claims, purpose: standing.purpose.id, basis: standing.purpose.legalBasis, released: standing.decision.allowed, reason: standing.decision.reason }
  : { key, claims, purpose: purposeId, basis: undefined, released: false, reason: 'unknown_purpose' };

/** Every field's verdict, from the purposes' standings: pure, so one read of the ledger decides one answer. */
export function fieldVerdicts(fields: readonly FieldShape[], standings: readonly PurposeStanding[]): Map<string, FieldVerdict> {
  const byId = new Map(standings.map((s) => [s.purpose.id, s]));
  const covering = standings.filter((s) => s.purpose.dataCategories.includes('email'));
  const verdicts = new Map<string, FieldVerdict>([[EMAIL_FIELD, verdictOf(EMAIL_FIELD, EMAIL_CLAIMS, covering.find((s) => s.decision.allowed) ?? covering[0])]]);
  // A profile value never stands in for the claims Foyer asserts (sub, email, …).
  for (const field of fields) if (!RESERVED_CLAIMS.has(field.claimName)) verdicts.set(field.key, verdictOf(field.key, [field.claimName], byId.get(field.purpose), field.purpose));
  return verdicts;
}

/** The claims an account releases under these verdicts, limited to `wanted` claim names; `sub` always. */
export function releasedClaims(account: ReleasableAccount, verdicts: Map<string, FieldVerdict>, wanted: ReadonlySet<string>): { sub: string; [claim: string]: unknown } {
  const claims: Record<string, unknown> = {};
  for (const verdict of verdicts.values()) {
    if (!verdict.released) continue;
    if (verdict.key === EMAIL_FIELD) {
      if (account.email) Object.assign(claims, { email: account.email, email_verified: account.emailVerified });
    } else if (account.profile[verdict.key] !== undefined) {
      claims[verdict.claims[0]!] = account.profile[verdict.key];
    }
  }
  // `name` composed of the released parts only: a withheld given or family name never leaks through it.
  const name = [claims.given_name, claims.family_name].filter((part) => typeof part === 'string' && part).join(' ');
  if (name && claims.name === undefined) claims.name = name;
  return { ...Object.fromEntries(Object.entries(claims).filter(([claim]) => wanted.has(claim))), sub: account.id };
}

export function createFieldRelease(sources: FieldReleaseSources) {
  /** The schema's fields, and for an account's values also the keys no field defines (disabled ones stay out). */
  const fieldsFor = (account?: ReleasableAccount): FieldShape[] => {
    const fields = sources.profileFields();
    const known = new Set([...fields.map((f) => f.key), ...sources.disabledKeys()]);
    const undefinedKeys = Object.keys(account?.profile ?? {}).filter((key) => !known.has(key));
    return [...fields, ...undefinedKeys.map((key) => ({ key, claimName: key, purpose: UNDEFINED_FIELD_PURPOSE }))];
  };
  const verdictsOf = async (accountId: string, account?: ReleasableAccount) => fieldVerdicts(fieldsFor(account), await sources.purposeStates(accountId, account?.processingRestricted));
  return {
    standingsWithAccount: sources.standingsWithAccount,
    /** Every field's verdict for the account: what the account pages explain. */
    verdicts: (accountId: string) => verdictsOf(accountId),
    /**
     * For an app: the claims of `wanted` (what its grant allows) that the rule lets leave now. `standings`, when
     * the caller read them with the account in this request, save reading them again.
     */
    async claims(account: ReleasableAccount, wanted: ReadonlySet<string>, standings?: readonly PurposeStanding[]) {
      const verdicts = standings ? fieldVerdicts(fieldsFor(account), standings) : await verdictsOf(account.id, account);
      return releasedClaims(account, verdicts, wanted);
    },
    /** For a webhook: of the fields it subscribed to, the values it may have now and those withheld. */
    async release(accountId: string, wanted: readonly string[]): Promise<Release> {
      const account = await sources.findAccount(accountId);
      if (!account) return { values: {}, withheld: [...wanted] };
      const verdicts = await verdictsOf(accountId, account);
      const values: Record<string, unknown> = {};
      const withheld: string[] = [];
      for (const key of wanted) {
        if (!verdicts.get(key)?.released) withheld.push(key);
        else if (key === EMAIL_FIELD) Object.assign(values, { email: account.email, email_verified: account.emailVerified });
        else values[key] = account.profile[key] ?? null;
      }
      return { values, withheld };
    },
    /** For the account pages: which of `wanted` go to a subscriber now. */
    async receivedFields(accountId: string, wanted: readonly string[]): Promise<Set<string>> {
      const account = await sources.findAccount(accountId);
      if (!account) return new Set();
      const verdicts = await verdictsOf(accountId, account);
      return new Set(wanted.filter((key) => verdicts.get(key)?.released));
    },
  };
}

export type FieldRelease = ReturnType<typeof createFieldRelease>;
