// Owns what the account pages and the Account API change about how a customer signs in: passkeys, the
// two-step switch, the authenticator app, recovery codes, remembered devices and linked social accounts.
// Every change is scoped to the account (another account's id is "not found"), checked against the
// lock-out rules in one transaction, and recorded as an event.
import type { AccountQueries } from '../accounts/queries.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { FlowStore } from '../flows/store.ts';
import { accountTotpFlow } from '../flows/kinds/account.ts';
import type { MailSender } from '../mail/mailer.ts';
import type { SecretBox } from '../security/envelope.ts';
import type { ImportQueries } from './federation/import-queries.ts';
import type { FederatedIdentityQueries } from './federation/identities.ts';
import type { MfaQueries } from './mfa/queries.ts';
import type { RememberedDevices } from './mfa/remembered-devices.ts';
import { cleanPasskeyName, type PasskeySummary } from './passkey/manage.ts';
import type { PasskeyQueries } from './passkey/queries.ts';
import type { RecoveryCodes } from './recovery-codes/recovery-codes.ts';
import { decideRemoval, type RemovalVerdict, type SignInInventory } from './sign-in-methods.ts';
import type { TotpQueries } from './totp/queries.ts';
import { newTotpSecret, totpUri, type TotpAuthenticator, type TotpVerdict } from './totp/totp.ts';

export interface AccountSecurityDeps {
  db: Db;
  accounts: AccountQueries;
  passkeys: PasskeyQueries;
  identities: FederatedIdentityQueries;
  totpQueries: TotpQueries;
  totp: TotpAuthenticator;
  mfa: MfaQueries;
  recoveryCodes: RecoveryCodes;
  rememberedDevices: RememberedDevices;
  flows: FlowStore;
  events: EventOutbox;
  /** Social import choices, removed with a connector's last link. */
  imports?: Pick<ImportQueries, 'deleteImportPermission'>;
  mailer: MailSender;
  box: SecretBox;
  /** Shown in authenticator apps next to the account. */
  issuer: string;
}

const enrolmentContext = (accountId: string, flowId: string) => `portal-totp:${accountId}:${flowId}`;

export function createAccountSecurity(deps: AccountSecurityDeps) {
  const { db } = deps;

  async function inventory(accountId: string, trx: Db = db): Promise<SignInInventory> {
    const [account, passkeys, links, totp, mfaEnabled] = [
      await deps.accounts.findAccountById(accountId, trx), await deps.passkeys.listPasskeysForAccount(accountId, trx),
      await deps.identities.listForAccount(accountId, trx), await deps.totpQueries.findConfirmedTotp(accountId, trx), await deps.mfa.isMfaEnabled(accountId, trx),
    ];
    return { password: Boolean(account?.passwordHash), passkeys: passkeys.length, links: links.length, verifiedEmail: Boolean(account?.email && account.emailVerified), totp: Boolean(totp), mfaEnabled };
  }

  /** Runs `remove` under the lock-out rule, in one transaction with its event. */
  async function guardedRemoval(accountId: string, kind: 'passkey' | 'link' | 'totp', remove: (trx: Db) => Promise<boolean>, event: { type: string; data: Record<string, unknown> }): Promise<RemovalVerdict | 'not_found'> {
    return db.transaction(async (trx) => {
      // Lock the account row so two removals at once cannot both pass the check.
      await trx.raw('SELECT id FROM accounts WHERE id = ? FOR UPDATE', [accountId]);
      const verdict = decideRemoval(await inventory(accountId, trx), kind);
      if (verdict !== 'ok') return verdict;
      if (!(await remove(trx))) return 'not_found';
      await deps.events.emit({ type: event.type, accountId, data: event.data }, trx);
      return 'ok';
    });
  }

  return {
    inventory,

    async overview(accountId: string) {
      const [passkeys, totp, mfaEnabled, recoveryCodesLeft, devices, links] = [
        await deps.passkeys.listPasskeysForAccount(accountId), await deps.totpQueries.findConfirmedTotp(accountId), await deps.mfa.isMfaEnabled(accountId),
        await deps.recoveryCodes.countUnusedRecoveryCodes(accountId), await deps.rememberedDevices.listRememberedDevices(accountId), await deps.identities.listForAccount(accountId),
      ];
      const summaries: PasskeySummary[] = passkeys.map((p) => ({ id: p.id, name: p.name, synced: p.deviceType === 'multiDevice' || p.backedUp, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt }));
      return { passkeys: summaries, totp: Boolean(totp), totpSince: totp?.confirmed_at ? new Date(totp.confirmed_at) : undefined, mfaEnabled, recoveryCodesLeft, devices, links: links.length };
    },

    async renamePasskey(accountId: string, passkeyId: string, name: string): Promise<'ok' | 'invalid_name' | 'not_found'> {
      const clean = cleanPasskeyName(name);
      if (!clean) return 'invalid_name';
      return db.transaction(async (trx) => {
        if (!(await deps.passkeys.renamePasskey(accountId, passkeyId, clean, trx))) return 'not_found';
        await deps.events.emit({ type: 'passkey.renamed', accountId, data: { passkeyId } }, trx);
        return 'ok';
      });
    },

    removePasskey(accountId: string, passkeyId: string) {
      return guardedRemoval(accountId, 'passkey', (trx) => deps.passkeys.deletePasskey(accountId, passkeyId, trx), { type: 'passkey.removed', data: { passkeyId } });
    },

    removeTotp(accountId: string) {
      return guardedRemoval(accountId, 'totp', (trx) => deps.totpQueries.deleteTotp(accountId, trx), { type: 'mfa.totp_removed', data: {} });
    },

    listLinks: (accountId: string) => deps.identities.listForAccount(accountId),

    unlinkIdentity(accountId: string, connector: string, subject: string) {
      return guardedRemoval(accountId, 'link', async (trx) => {
        if (!(await deps.identities.deleteIdentity(accountId, connector, subject, trx))) return false;
        // The import choice for that connector goes with its last link; values already imported stay (they are the customer's now).
        const others = (await deps.identities.listForAccount(accountId, trx)).some((i) => i.connector === connector);
        if (!others) await deps.imports?.deleteImportPermission(accountId, connector, trx);
        return true;
      }, { type: 'federation.unlinked', data: { connector } });
    },

    async setMfaEnabled(accountId: string, enabled: boolean): Promise<void> {
      await db.transaction(async (trx) => {
        await deps.mfa.setMfaEnabled(accountId, enabled, trx);
        await deps.events.emit({ type: enabled ? 'mfa.enabled' : 'mfa.disabled', accountId }, trx);
      });
    },

    /** A new seed to enrol, kept sealed in a flow of the account; 'already_enrolled' when one is active. */
    async startTotpEnrolment(accountId: string): Promise<{ status: 'ok'; enrolmentId: string; secret: string; uri: string } | { status: 'already_enrolled' }> {
      if (await deps.totp.hasTotp(accountId)) return { status: 'already_enrolled' };
      const secret = newTotpSecret();
      const flow = await deps.flows.insertFlow({ kind: accountTotpFlow, state: 'enrol', interactionUid: null, accountId, context: {} });
      await deps.flows.updateFlow(flow, { context: { pendingSecret: deps.box.encrypt(secret, enrolmentContext(accountId, flow.id)) } });
      const account = await deps.accounts.findAccountById(accountId);
      return { status: 'ok', enrolmentId: flow.id, secret, uri: totpUri(secret, deps.issuer, account?.email ?? accountId) };
    },

    /** The seed of an enrolment in progress (the same QR code again after a wrong code). */
    async resumeTotpEnrolment(accountId: string, enrolmentId: string): Promise<{ enrolmentId: string; secret: string; uri: string } | undefined> {
      const flow = /^flow_[\w-]{10,40}$/.test(enrolmentId) ? await deps.flows.findAccountFlow(enrolmentId, accountTotpFlow, accountId) : undefined;
      const pending = (flow?.context as { pendingSecret?: unknown } | undefined)?.pendingSecret;
      if (!flow || typeof pending !== 'string') return undefined;
      const secret = deps.box.decrypt(pending, enrolmentContext(accountId, flow.id));
      const account = await deps.accounts.findAccountById(accountId);
      return { enrolmentId, secret, uri: totpUri(secret, deps.issuer, account?.email ?? accountId) };
    },

    /** Activates the enrolment's seed when `code` matches it; makes recovery codes when the account has none. */
    async confirmTotpEnrolment(input: { accountId: string; enrolmentId: string; code: string; address: string }):
    Promise<{ status: 'ok'; recoveryCodes: string[] | undefined } | { status: 'expired' | 'already_enrolled' } | Exclude<TotpVerdict, { status: 'ok' }>> {
      const flow = /^flow_[\w-]{10,40}$/.test(input.enrolmentId) ? await deps.flows.findAccountFlow(input.enrolmentId, accountTotpFlow, input.accountId) : undefined;
      const pending = (flow?.context as { pendingSecret?: unknown } | undefined)?.pendingSecret;
      if (!flow || typeof pending !== 'string') return { status: 'expired' };
      if (await deps.totp.hasTotp(input.accountId)) return { status: 'already_enrolled' };
      const secret = deps.box.decrypt(pending, enrolmentContext(input.accountId, flow.id));
      const verdict = await deps.totp.checkEnrolmentCode({ accountId: input.accountId, secret, code: input.code, address: input.address });
      if (verdict.status !== 'ok') return verdict;
      const sealed = deps.totp.sealForAccount(input.accountId, secret);
      const fresh = (await deps.recoveryCodes.countUnusedRecoveryCodes(input.accountId)) === 0 ? deps.recoveryCodes.newRecoveryCodes(input.accountId) : undefined;
      await db.transaction(async (trx) => {
        await deps.flows.deleteFlow(flow.id, trx);
        await deps.totp.saveConfirmed(input.accountId, sealed, verdict.step!, trx);
        if (fresh) await deps.recoveryCodes.storeRecoveryCodes(input.accountId, fresh, trx);
        await deps.events.emit({ type: 'mfa.totp_enrolled', accountId: input.accountId }, trx);
      });
      const email = (await deps.accounts.findAccountById(input.accountId))?.email;
      if (email) deps.mailer.sendInBackground(email, 'mfa-enrolled', {});
      return { status: 'ok', recoveryCodes: fresh?.codes };
    },

    /** Ten new recovery codes (the old ones stop working), returned this once. */
    async regenerateRecoveryCodes(accountId: string): Promise<string[]> {
      const fresh = deps.recoveryCodes.newRecoveryCodes(accountId);
      await db.transaction(async (trx) => {
        await deps.recoveryCodes.storeRecoveryCodes(accountId, fresh, trx);
        await deps.events.emit({ type: 'mfa.recovery_codes_regenerated', accountId }, trx);
      });
      return fresh.codes;
    },

    async revokeRememberedDevice(accountId: string, deviceId: string): Promise<boolean> {
      const revoked = await deps.rememberedDevices.revokeRememberedDevice(accountId, deviceId);
      if (revoked) await deps.events.emit({ type: 'mfa.remembered_device_revoked', accountId, data: { deviceId } });
      return revoked;
    },

    async revokeAllRememberedDevices(accountId: string): Promise<number> {
      const count = await deps.rememberedDevices.revokeAllRememberedDevices(accountId);
      if (count) await deps.events.emit({ type: 'mfa.remembered_device_revoked', accountId, data: { all: true, count } });
      return count;
    },
  };
}

export type AccountSecurity = ReturnType<typeof createAccountSecurity>;
