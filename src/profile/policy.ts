// Owns the progressive profiling decision, a pure function: from the schema's rules, the account's values,
// skips and visit number, and the signing-in client's needs, which fields to ask now (none: no page).
import type { AskRule } from '../config/profile-fields.ts';

export interface FieldRule {
  key: string;
  ask: AskRule;
  priority: number;
  /** The scope that releases the field; null when no scope does. */
  scope: string | null;
}

export interface ClientProfileNeeds {
  /** Fields the client cannot work without: asked whatever the limit, the skips or the visit; no "Not now". */
  required: string[];
  /** Fields the client would like: asked like any optional field, whatever the visit number. */
  optional: string[];
  /** The client's own limit of optional fields per visit. */
  perVisit?: number | undefined;
}

export interface ProfileSituation {
  fields: FieldRule[];
  /** Keys of the fields the account already has a value for. */
  given: ReadonlySet<string>;
  /** When the account last pressed "Not now" on each field. */
  skippedAt: ReadonlyMap<string, Date>;
  /** This visit's number: 1 is the sign-up (first interactive sign-in). */
  visit: number;
  /** Optional fields already asked in this visit (an earlier sign-in of it): they count against K. */
  askedThisVisit: ReadonlySet<string>;
  client: ClientProfileNeeds;
  /** Scopes the customer granted this client (fields released by others are not asked through it). */
  grantedScopes: readonly string[];
  /** false for prompt=none: nothing optional can be asked, only missing required fields matter. */
  interactive: boolean;
  now: Date;
  maxOptionalPerVisit: number;
  skipBackoffDays: number;
}

export interface ProfileDecision {
  required: string[];
  optional: string[];
}

const DAY_MS = 86_400_000;

function dueByVisit(rule: AskRule, visit: number): boolean {
  if (rule === 'signup') return true; // from the first visit on, until given (or skipped, then after the back-off)
  if (rule === 'never') return false;
  return visit >= rule.fromVisit;
}

export function decideProfileFields(s: ProfileSituation): ProfileDecision {
  const known = new Map(s.fields.map((f, index) => [f.key, { rule: f, index }]));
  const missing = (key: string) => known.has(key) && !s.given.has(key);
  const required = [...new Set(s.client.required)].filter(missing).sort((a, b) => known.get(a)!.index - known.get(b)!.index);
  if (!s.interactive) return { required, optional: [] };

  const clientWants = new Set(s.client.optional);
  const backoffMs = s.skipBackoffDays * DAY_MS;
  const candidates = s.fields.filter((f) => {
    if (!missing(f.key) || required.includes(f.key)) return false;
    if (!clientWants.has(f.key) && !dueByVisit(f.ask, s.visit)) return false;
    if (f.scope !== null && !s.grantedScopes.includes(f.scope)) return false;
    const skipped = s.skippedAt.get(f.key);
    return !skipped || s.now.getTime() - skipped.getTime() >= backoffMs;
  });
  // Fields asked earlier in this visit and still unanswered may be asked again; new ones fill what is left of K.
  let room = Math.max(0, (s.client.perVisit ?? s.maxOptionalPerVisit) - s.askedThisVisit.size);
  const optional = candidates
    .map((f) => ({ f, index: known.get(f.key)!.index }))
    .sort((a, b) => b.f.priority - a.f.priority || a.index - b.index)
    .filter(({ f }) => s.askedThisVisit.has(f.key) || (room > 0 && room-- > 0))
    .map(({ f }) => f.key);
  return { required, optional };
}

/** The visit a sign-in now belongs to: the last one while within the gap, else the next. */
export function currentVisit(stored: { visits: number; lastVisitAt: Date | null } | undefined, now: Date, gapHours: number): number {
  if (!stored || !stored.lastVisitAt) return (stored?.visits ?? 0) + 1;
  return now.getTime() - stored.lastVisitAt.getTime() < gapHours * 3_600_000 ? Math.max(1, stored.visits) : stored.visits + 1;
}
