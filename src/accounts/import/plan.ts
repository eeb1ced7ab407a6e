// Owns what an import does with each row, given what the database holds now: create an account, change one
// (only what differs), leave it, or refuse the row with a reason. A pure function: the importer reads the
// state, asks here, then writes the decisions in one transaction guarded against changes made in between.
import { isDeepStrictEqual } from 'node:util';
import type { AccountStatus } from '../queries.ts';
import type { ImportIdentity, ImportRow } from './row.ts';

export interface KnownAccount {
  id: string;
  status: AccountStatus;
  passwordHash: string | null;
  /** The password is the one an import set (nothing changed it since). */
  passwordFromImport: boolean;
  eraseAfter: Date | null;
  externalId: string | null;
  /** Its email addresses (normalized) and whether each is verified; `primary` is its main one. */
  emails: Map<string, { verified: boolean; primary: boolean }>;
  /** Its profile values of the fields the rows carry: value and who set it. */
  profile: Map<string, { value: unknown; source: string }>;
}

export interface Snapshot {
  byEmail: ReadonlyMap<string, KnownAccount>;
  byExternalId: ReadonlyMap<string, KnownAccount>;
  /** Which account each (connector, subject) of the rows is linked to, keyed `connector\nsubject`. */
  identities: ReadonlyMap<string, string>;
}

export interface AccountChange {
  accountId: string;
  /** The row's email replaces the account's main one (the account was found by its external id). */
  replaceEmail: boolean;
  verifyEmail: boolean;
  externalId: string | null;
  /** Set the row's password hash where the account's still is `expected` (null: none). */
  password: { expected: string | null } | null;
  /** A lite account that gets a way to sign in becomes active. */
  activate: boolean;
  profile: [string, unknown][];
  identities: ImportIdentity[];
}

export type Decision =
  | { kind: 'create'; line: number; row: ImportRow }
  | { kind: 'update'; line: number; row: ImportRow; change: AccountChange }
  | { kind: 'unchanged'; line: number }
  | { kind: 'reject'; line: number; reason: string };

export const identityKey = (i: Pick<ImportIdentity, 'connector' | 'subject'>) => `${i.connector}\n${i.subject}`;

/** The keys a row claims: two rows sharing one must not be decided together (the later sees the earlier's result). */
export function rowKeys(row: ImportRow): string[] {
  return [`e:${row.emailNormalized}`, ...(row.externalId ? [`x:${row.externalId}`] : []), ...row.identities.map((i) => `i:${identityKey(i)}`)];
}

function identityProblem(row: ImportRow, snapshot: Snapshot, accountId: string | undefined): string | undefined {
  const taken = row.identities.find((i) => {
    const owner = snapshot.identities.get(identityKey(i));
    return owner !== undefined && owner !== accountId;
  });
  return taken && `identities: ${taken.connector} ${taken.subject} signs in to another account`;
}

function changeOf(row: ImportRow, account: KnownAccount, foundBy: 'email' | 'external_id', snapshot: Snapshot): AccountChange {
  const rowEmail = account.emails.get(row.emailNormalized);
  // Foyer is authoritative once a customer used it: a password changed since the last import stays.
  const passwordOurs = account.passwordHash === null || account.passwordFromImport;
  const setPassword = row.passwordHash !== null && row.passwordHash !== account.passwordHash && passwordOurs;
  const identities = row.identities.filter((i) => snapshot.identities.get(identityKey(i)) !== account.id);
  return {
    accountId: account.id,
    replaceEmail: foundBy === 'external_id' && !rowEmail,
    verifyEmail: row.emailVerified && !rowEmail?.verified,
    externalId: row.externalId !== null && account.externalId !== row.externalId ? row.externalId : null,
    password: setPassword ? { expected: account.passwordHash } : null,
    activate: account.status === 'lite' && (setPassword || identities.length > 0),
    // A value the customer (or anyone but an import) set since stays.
    profile: Object.entries(row.profile).filter(([field, value]) => {
      const current = account.profile.get(field);
      return !current || (current.source === 'import' && !isDeepStrictEqual(current.value, value));
    }),
    identities,
  };
}

const isEmpty = (c: AccountChange) => !c.replaceEmail && !c.verifyEmail && !c.externalId && !c.password && !c.activate && !c.profile.length && !c.identities.length;

export function decideRow(line: number, row: ImportRow, snapshot: Snapshot): Decision {
  const byExternal = row.externalId ? snapshot.byExternalId.get(row.externalId) : undefined;
  const byEmail = snapshot.byEmail.get(row.emailNormalized);
  if (byExternal && byEmail && byExternal.id !== byEmail.id) {
    return { kind: 'reject', line, reason: `external_id ${row.externalId} belongs to one account and email ${row.email} to another` };
  }
  const account = byExternal ?? byEmail;
  const identityTaken = identityProblem(row, snapshot, account?.id);
  if (identityTaken) return { kind: 'reject', line, reason: identityTaken };
  if (!account) return { kind: 'create', line, row };
  if (account.status === 'erased' || account.eraseAfter) return { kind: 'reject', line, reason: 'this customer asked for their account to be erased: it is not changed' };
  if (!byExternal && row.externalId && account.externalId && account.externalId !== row.externalId) {
    return { kind: 'reject', line, reason: `email ${row.email} belongs to the account imported with external_id ${account.externalId}` };
  }
  const change = changeOf(row, account, byExternal ? 'external_id' : 'email', snapshot);
  return isEmpty(change) ? { kind: 'unchanged', line } : { kind: 'update', line, row, change };
}
