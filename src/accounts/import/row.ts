// Owns one row of a customer import, the same for JSON lines and CSV (whose dotted columns make the nesting):
// checks it and turns it into what the importer writes, or into the reason it is refused.
import { z } from 'zod';
import type { ProfileField } from '../../profile/schema.ts';
import { validateFieldValue } from '../../profile/validate.ts';
import { DEFAULT_LANGUAGE } from '../../i18n/languages.ts';
import { describeIssue } from '../../i18n/zod.ts';
import { canonicalEmail, EMAIL_ADDRESS, normalizeEmail } from '../email-address.ts';
import { auth0HashSchema, fromAuth0, fromHashString, fromKeycloak, keycloakCredentialSchema, type FirebaseProject } from './password.ts';

export interface ImportIdentity {
  connector: string;
  subject: string;
  email: string | null;
}

export interface ImportRow {
  email: string;
  emailNormalized: string;
  emailVerified: boolean;
  externalId: string | null;
  /** The stored form (src/security/imported-hashes.ts), or null: the row brings no password. */
  passwordHash: string | null;
  /** Profile values by field key, checked against the profile schema. */
  profile: Record<string, unknown>;
  identities: ImportIdentity[];
}

export interface RowContext {
  fields: ReadonlyMap<string, ProfileField>;
  firebase: FirebaseProject | undefined;
}

const CONNECTOR_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
// CSV cells are text: "true"/"false" (or 1/0, yes/no) for flags.
const flag = z.union([z.boolean(), z.enum(['true', 'false', 'TRUE', 'FALSE', '1', '0', 'yes', 'no']).transform((v) => ['true', 'TRUE', '1', 'yes'].includes(v))]);
const text = (max: number) => z.union([z.string(), z.number().transform(String)]).pipe(z.string().trim().min(1, 'schema.import.empty').max(max, 'schema.import.too_long'));
const identity = z.object({ connector: z.string().regex(CONNECTOR_ID, 'schema.import.connector'), subject: text(255), email: z.string().max(320).nullish() }).strict();

const rowSchema = z.object({
  email: z.string().transform(canonicalEmail).pipe(z.string().max(320, 'schema.import.too_long').regex(EMAIL_ADDRESS, 'schema.import.email')),
  email_verified: flag.optional(),
  external_id: text(200).optional(),
  password_hash: z.string().max(1000).optional(),
  credentials: z.union([keycloakCredentialSchema, z.array(keycloakCredentialSchema).max(20)]).optional(),
  custom_password_hash: auth0HashSchema.optional(),
  profile: z.record(z.string().max(100), z.unknown()).optional(),
  // A list, or in CSV columns identities.<connector> = subject.
  identities: z.union([z.array(identity).max(20), z.record(z.string().regex(CONNECTOR_ID, 'schema.import.connector'), text(255))]).optional(),
  // Written by the export for reference; an import ignores them.
  id: z.unknown().optional(),
  status: z.unknown().optional(),
  created_at: z.unknown().optional(),
}).strict();

const PASSWORD_MEMBERS = ['password_hash', 'credentials', 'custom_password_hash'] as const;

function rejectionOf(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown member ${issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}`;
  // A rejection is stored and read later by whoever looks: worded in English, like the rest of an import's report.
  return describeIssue(issue, '', DEFAULT_LANGUAGE);
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
  return false;
}

/** A row ready to write, or the reason it is refused. */
export function readImportRow(raw: unknown, context: RowContext): { row: ImportRow } | { problem: string } {
  if (Array.isArray(raw)) return { problem: 'not a JSON object (the file must hold one object per line, not an array)' };
  if (!raw || typeof raw !== 'object') return { problem: 'a row must be an object' };
  if (hasNul(raw)) return { problem: 'NUL characters are not allowed' };
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) return { problem: rejectionOf(parsed.error) };
  const input = parsed.data;

  const given = PASSWORD_MEMBERS.filter((m) => input[m] !== undefined);
  if (given.length > 1) return { problem: `give one of ${given.join(', ')}, not several` };
  const password = input.password_hash !== undefined ? fromHashString(input.password_hash, context.firebase)
    : input.credentials !== undefined ? fromKeycloak([input.credentials].flat(), context.firebase)
    : input.custom_password_hash !== undefined ? fromAuth0(input.custom_password_hash, context.firebase)
    : undefined;
  if (password && 'problem' in password) return { problem: `${given[0] === 'password_hash' ? 'password_hash: ' : ''}${password.problem}` };

  const profile: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.profile ?? {})) {
    const field = context.fields.get(key);
    if (!field) return { problem: `profile.${key}: there is no such profile field` };
    const verdict = validateFieldValue(field, value, key);
    if (verdict.status === 'invalid') return { problem: `profile.${key}: ${verdict.message}` };
    if (verdict.status === 'ok') profile[key] = verdict.value;
  }

  const identities = Array.isArray(input.identities)
    ? input.identities.map((i) => ({ connector: i.connector, subject: i.subject, email: i.email ?? null }))
    : Object.entries(input.identities ?? {}).map(([connector, subject]) => ({ connector, subject, email: null }));
  if (new Set(identities.map((i) => `${i.connector}\n${i.subject}`)).size !== identities.length) return { problem: 'identities: the same identity twice' };

  return {
    row: {
      email: input.email, emailNormalized: normalizeEmail(input.email), emailVerified: input.email_verified ?? false,
      externalId: input.external_id ?? null, passwordHash: password?.hash ?? null, profile, identities,
    },
  };
}
