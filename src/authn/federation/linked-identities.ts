// Owns what the customer's account pages may do with linked upstream identities: list them, and unlink
// one, never the account's last way to sign in. The portal (src/portal) renders these; no pages here.
import type { AccountQueries } from '../../accounts/queries.ts';
import type { Db } from '../../db/create-db.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import type { ConnectorRegistry } from './connectors.ts';
import type { FederatedIdentityQueries } from './identities.ts';
import type { ImportQueries } from './import-queries.ts';

export interface LinkedIdentity {
  connector: string;
  /** The connector's display name (its id when the connector was removed since). */
  connectorName: string;
  subject: string;
  email: string | null;
  linkedAt: Date;
  lastUsedAt: Date;
}

export type UnlinkResult = { status: 'unlinked' } | { status: 'not_found' } | { status: 'last_method' };

export interface LinkedIdentitiesDeps {
  db: Db;
  identities: FederatedIdentityQueries;
  accounts: AccountQueries;
  imports: ImportQueries;
  connectors: ConnectorRegistry;
  hasPasskey(accountId: string): Promise<boolean>;
  emit(event: DomainEvent, trx: Db): Promise<unknown>;
}

export function createLinkedIdentities(deps: LinkedIdentitiesDeps) {
  return {
    async listLinkedIdentities(accountId: string): Promise<LinkedIdentity[]> {
      const names = new Map((await deps.connectors.buttonsFor(undefined)).map((c) => [c.id, c.name]));
      return (await deps.identities.listForAccount(accountId)).map((i) => ({
        connector: i.connector, connectorName: names.get(i.connector) ?? i.connector, subject: i.subject, email: i.email, linkedAt: i.createdAt, lastUsedAt: i.lastUsedAt,
      }));
    },

    /**
     * Unlinks one identity unless it is the account's last way in. Other ways in: a password, a passkey,
     * another linked identity, or a verified email (a mailed code signs in). The import choice for that
     * connector goes too; values already imported stay in the profile (they are the customer's now).
     */
    async unlinkIdentity(input: { accountId: string; connector: string; subject: string }): Promise<UnlinkResult> {
      const linked = await deps.identities.listForAccount(input.accountId);
      if (!linked.some((i) => i.connector === input.connector && i.subject === input.subject)) return { status: 'not_found' };
      const account = await deps.accounts.findAccountById(input.accountId);
      if (!account) return { status: 'not_found' };
      const otherWayIn = linked.length > 1 || Boolean(account.passwordHash) || (Boolean(account.email) && account.emailVerified) || (await deps.hasPasskey(input.accountId));
      if (!otherWayIn) return { status: 'last_method' };
      const removed = await deps.db.transaction(async (trx) => {
        if (!(await deps.identities.deleteIdentity(input.accountId, input.connector, input.subject, trx))) return false;
        if (!linked.some((i) => i.connector === input.connector && i.subject !== input.subject)) await deps.imports.deleteImportPermission(input.accountId, input.connector, trx);
        await deps.emit({ type: 'federation.identity_unlinked', accountId: input.accountId, data: { connector: input.connector } }, trx);
        return true;
      });
      return removed ? { status: 'unlinked' } : { status: 'not_found' };
    },
  };
}

export type LinkedIdentities = ReturnType<typeof createLinkedIdentities>;
