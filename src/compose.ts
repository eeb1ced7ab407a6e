// Composition root shared by the server, the CLI and the tests: builds every service from config + db.
// Only composition code (main.ts, cli/, test support) imports this.
import type { Config } from './config/schema.ts';
import { isLoopbackIssuer } from './config/load.ts';
import { resolveWebauthn } from './config/webauthn.ts';
import { poolStats, type Db } from './db/create-db.ts';
import { createMetrics } from './metrics/registry.ts';
import type { Logger } from './log.ts';
import { createAccountQueries } from './accounts/queries.ts';
import { createPortalSessions } from './accounts/portal-sessions.ts';
import { createAdmins } from './accounts/admins.ts';
import { createCustomerCare, type CustomerCareDeps } from './accounts/customers/care.ts';
import { createCustomerDirectory } from './accounts/customers/directory.ts';
import { createSecondFactorReset } from './authn/mfa/reset.ts';
import { createAuditLog } from './events/audit-log.ts';
import { createPortalLinks } from './accounts/portal-links.ts';
import { createEmailChange } from './accounts/email-change.ts';
import { createCustomerExport } from './accounts/import/export.ts';
import { createCustomerImport } from './accounts/import/importer.ts';
import { createImportQueries as createCustomerImportQueries } from './accounts/import/queries.ts';
import { createAccountSecurity } from './authn/account-security.ts';
import { createCredentialThrottle } from './authn/credential-throttle.ts';
import { createKnownDeviceQueries } from './authn/device-watch/queries.ts';
import { createDeviceWatch } from './authn/device-watch/watch.ts';
import { createSignInLinkQueries } from './authn/email-code/queries.ts';
import { createEmailSignIn } from './authn/email-code/sign-in.ts';
import { createPasswordAuthenticator } from './authn/password/authenticator.ts';
import { createPasskeyOffers } from './authn/passkey/offer.ts';
import { createPasskeyQueries } from './authn/passkey/queries.ts';
import { createPasskeyService } from './authn/passkey/service.ts';
import { createMfaQueries } from './authn/mfa/queries.ts';
import { createRememberedDevices } from './authn/mfa/remembered-devices.ts';
import { createEnrolmentProof } from './authn/mfa/enrol-proof.ts';
import { passwordAuthenticator } from './authn/password/as-authenticator.ts';
import { emailCodeAuthenticator } from './authn/email-code/as-authenticator.ts';
import { createAuthenticatorRegistry } from './authn/registry.ts';
import { createMfaStep } from './authn/mfa/step.ts';
import { createRecoveryCodeQueries } from './authn/recovery-codes/queries.ts';
import { createRecoveryCodes } from './authn/recovery-codes/recovery-codes.ts';
import { createTotpQueries } from './authn/totp/queries.ts';
import { createTotpAuthenticator } from './authn/totp/totp.ts';
import { createConsentModule } from './consent/module.ts';
import { createConsentQueries } from './consent/queries.ts';
import { createConsentWithdrawal } from './consent/withdrawal.ts';
import { createEventOutbox } from './events/outbox.ts';
import { createWebhookDispatcher } from './events/webhooks/dispatcher.ts';
import { createWebhooks } from './events/webhooks/service.ts';
import { createWebhookStore } from './events/webhooks/store.ts';
import { createConnectorRegistry } from './authn/federation/connectors.ts';
import { createFederatedIdentityQueries } from './authn/federation/identities.ts';
import { createFederatedSignIn } from './authn/federation/sign-in.ts';
import { createFederationEmailConfirmation } from './authn/federation/email-confirmation.ts';
import { createConnectorStore } from './authn/federation/connector-store.ts';
import { createImportQueries } from './authn/federation/import-queries.ts';
import { createLinkProof } from './authn/federation/link-proof.ts';
import { createProfileImport } from './authn/federation/profile-import.ts';
import { createCodeService } from './flows/codes.ts';
import { createLoginFlows } from './flows/login.ts';
import { createFlowStore } from './flows/store.ts';
import { createRecovery } from './flows/recovery.ts';
import { createRegistration } from './flows/registration.ts';
import { createViews } from './http/views.ts';
import { createMailer, createDevOutboxQueries } from './mail/mailer.ts';
import { createClientStore } from './oidc/clients.ts';
import { createResourceStore } from './oidc/resources.ts';
import { createProtocolPort } from './oidc/sessions.ts';
import { createSigningKeyStore } from './oidc/signing-keys.ts';
import { createOidcModelQueries } from './oidc/adapter.ts';
import { createSecretBox } from './security/envelope.ts';
import { deriveKey } from './security/keys.ts';
import { createPasswordHasher } from './security/password-hasher.ts';
import { createThrottleQueries } from './security/throttle.ts';
import { createPrivacy } from './privacy/service.ts';
import { createFieldRelease, EMAIL_FIELD } from './consent/field-release.ts';
import { purposeRowsWithLatestActionJsonSql, type PurposeRowWithLatestAction } from './consent/registry/queries.ts';
import { purposesWithLatestAction } from './consent/registry/registry.ts';
import { standingsOf } from './consent/purposes.ts';
import { createErasureNotice } from './privacy/erasure-notice.ts';
import { createProfileQueries } from './profile/queries.ts';
import { createProfileService } from './profile/service.ts';
import { createProfileFieldAdmin } from './profile/field-admin.ts';
import { builtInResources } from './security/api-tokens.ts';
import { createLiteCapture } from './flows/lite-capture.ts';
import { createBrandQueries } from './brands/queries.ts';
import { createBrands } from './brands/service.ts';
import { currentBrand } from './brands/request-brand.ts';
import { mailBrandOf } from './brands/mail.ts';
import { createBrandShareQueries } from './brands/share-queries.ts';
import { createBrandSharing } from './brands/sharing.ts';
import { readTemplateFolder } from './brands/template-folder.ts';
import { RESERVED_CLAIMS } from './config/profile-fields.ts';

export function devOutboxEnabled(config: Config): boolean {
  return !config.smtpUrl && config.nodeEnv !== 'production' && isLoopbackIssuer(config.issuer);
}

/** The brand template overrides of the configured folder; each file refused is one log line, and the server starts regardless. */
function brandTemplateFolder(config: Config, partialNames: readonly string[], log: Logger) {
  if (!config.brandTemplatesDir) return undefined;
  const { templates, refused } = readTemplateFolder(config.brandTemplatesDir, partialNames);
  for (const { file, reason } of refused) log.error({ file }, `brand template override refused: ${reason}; the built-in template is used`);
  log.info({ dir: config.brandTemplatesDir, overrides: [...templates.values()].reduce((n, own) => n + own.size, 0) }, 'brand template overrides read');
  return templates;
}

export function createServices(config: Config, db: Db, log: Logger) {
  const box = createSecretBox(config.secret);
  // Counters cost nothing until scraped; the server adds process metrics and serves them (src/http/metrics.ts).
  const metrics = createMetrics();
  const accounts = createAccountQueries(db);
  const hasher = createPasswordHasher(config.argon2, { firebaseSignerKey: config.passwordImport.firebaseScrypt?.signerKey });
  const throttleQueries = createThrottleQueries(db);
  const throttle = createCredentialThrottle(throttleQueries, deriveKey(config.secret, 'throttle-keys'), config.throttle, { failed: metrics.credentialFailure, refused: metrics.throttled });
  const flows = createFlowStore(db, { lookupKey: deriveKey(config.secret, 'flow-lookup') });
  const codes = createCodeService(flows, { hashKey: deriveKey(config.secret, 'one-time-codes'), ...config.codes });
  const mailer = createMailer(db, { smtpUrl: config.smtpUrl, from: config.mailFrom, brandName: config.brandName, devOutbox: devOutboxEnabled(config), brandOf: () => mailBrandOf(currentBrand(), config.issuer) }, log);
  const protocol = createProtocolPort(db);
  // An erasure request ends the account's OIDC sessions, its portal sessions and its grants at once.
  const endAllSessions = { endSessions: async (id: string) => (await protocol.endSessions(id)) + (await createPortalSessions(db).endOtherPortalSessions(id)), revokeGrants: (id: string) => protocol.revokeGrants(id) };
  const erasureNotice = createErasureNotice({
    flows, mailer, emailOf: async (id) => (await accounts.findAccountById(id))?.email, linkBaseUrl: `${config.issuer}/account/erasure/cancel/`,
    savedLocale: (id) => profile.savedLocale(id),
  });
  const privacy = createPrivacy({ db, protocol: endAllSessions, graceDays: config.privacy.erasureGraceDays, outbox: createEventOutbox(db), flows, notice: erasureNotice });
  // Every event of an account that restricted processing is marked `restricted` (src/privacy).
  const events = privacy.events;
  const profileQueries = createProfileQueries(db);
  const profile = createProfileService({ db, queries: profileQueries, events, settings: config.profile });
  // Custom profile scopes are OpenID scopes too (not API scopes) when a client is registered with them.
  const profileScopes = async () => {
    await profile.reloadIfChanged();
    return Object.keys(profile.current().scopeClaims);
  };
  const clients = createClientStore(db, box, profileScopes);
  const views = createViews({ brandName: config.brandName });
  const brands = createBrands({
    queries: createBrandQueries(db), defaultName: config.brandName, templateNames: () => views.partialNames(), folderTemplates: brandTemplateFolder(config, views.partialNames(), log),
  });
  // The terms an app requires are its own and its brand's.
  const clientDocuments = async (clientId: string) => [...new Set([...await clients.clientDocuments(clientId), ...(await brands.current()).brandOfClient(clientId)?.documents ?? []])];
  const consentModule = createConsentModule({
    config, db, box, events, accounts, mailer, throttle: throttleQueries, clientDocuments, isRestricted: privacy.restriction.isRestricted,
  });
  const { consent } = consentModule;
  // Signing in at a second brand: its first visit asks which profile fields to share with it (src/brands/sharing.ts).
  const brandSharing = createBrandSharing({
    db, queries: createBrandShareQueries(db), ledger: createConsentQueries(db), events,
    brandOfClient: async (clientId) => (await brands.current()).brandOfClient(clientId)?.id ?? 'default',
    valuesOf: async (accountId) => (await profileQueries.listValues(accountId)).map((v) => ({ field: v.field, firstClientId: v.firstClientId })),
    shareableKeys: () => profile.current().fields.filter((f) => !RESERVED_CLAIMS.has(f.claimName)).map((f) => f.key),
  });
  const policy = config.password;
  const codeTtlSeconds = config.codes.ttlSeconds;
  const passkeyQueries = createPasskeyQueries(db);
  const webauthn = resolveWebauthn(config);
  const passkeys = createPasskeyService({ settings: webauthn, queries: passkeyQueries, accounts, throttle });
  const mfaQueries = createMfaQueries(db);
  const rememberedDevices = createRememberedDevices(mfaQueries);
  const totp = createTotpAuthenticator({ queries: createTotpQueries(db), box, throttle });
  const recoveryCodes = createRecoveryCodes({ db, queries: createRecoveryCodeQueries(db), throttle, hashKey: deriveKey(config.secret, 'recovery-codes') });
  const connectorStore = createConnectorStore(db, box);
  const connectors = createConnectorRegistry(connectorStore, config.connectors, `${config.issuer}/federation/callback`, { allowPrivate: config.outboundAllowPrivate });
  const federatedIdentities = createFederatedIdentityQueries(db);
  const emit = events.emit.bind(events);
  const federation = createFederatedSignIn({ db, flows, connectors, identities: federatedIdentities, accounts, box, emit });
  const federationEmail = createFederationEmailConfirmation({ db, flows, codes, connectors, identities: federatedIdentities, accounts, throttle, mailer, box, emit, codeTtlSeconds: config.codes.ttlSeconds });
  const passwords = createPasswordAuthenticator({ accounts, hasher, throttle });
  const emailSignIn = createEmailSignIn({ db, flows, codes, links: createSignInLinkQueries(db), accounts, throttle, mailer, codeTtlSeconds, linkBaseUrl: `${config.issuer}/signin/link/`, emit });
  const linkProof = createLinkProof({
    db, flows, codes, accounts, identities: federatedIdentities, connectors, passwords, throttle, mailer, box, emit, codeTtlSeconds,
    isMfaEnabled: mfaQueries.isMfaEnabled,
  });
  const importQueries = createImportQueries(db);
  const profileImport = createProfileImport({ db, queries: importQueries, flows, box, emit });
  const accountSecurity = createAccountSecurity({
    db, accounts, passkeys: passkeyQueries, identities: federatedIdentities, imports: importQueries, totpQueries: createTotpQueries(db), totp, mfa: mfaQueries,
    recoveryCodes, rememberedDevices, flows, events, mailer, box, issuer: config.brandName,
  });
  // The one release rule applied to an account's fields, for apps (claims), webhooks and the account pages.
  const fieldRelease = createFieldRelease({
    profileFields: () => profile.current().fields,
    disabledKeys: () => profile.current().disabledKeys,
    purposeStates: (accountId, restricted) => consentModule.purposes.purposeStates(accountId, restricted),
    // The token and userinfo paths read the purposes with the account, in one statement (src/oidc/claims.ts).
    standingsWithAccount: {
      sql: purposeRowsWithLatestActionJsonSql('a.id'),
      standings: (value, restricted) => standingsOf(purposesWithLatestAction(value as PurposeRowWithLatestAction[]), restricted),
    },
    findAccount: async (accountId) => {
      const account = await accounts.findAccountWithProfile(accountId);
      return account && account.status !== 'erased' ? account : undefined;
    },
  });
  const webhookStore = createWebhookStore(db, box);
  const webhooks = createWebhooks({
    store: webhookStore, events, allowPrivate: config.outboundAllowPrivate,
    knownFields: async () => {
      await profile.reloadIfChanged();
      return [EMAIL_FIELD, ...profile.current().fields.map((f) => f.key)];
    },
    dispatcher: createWebhookDispatcher({
      db, store: webhookStore, fields: fieldRelease, log, onOutcome: metrics.webhookDelivery,
      // Turned off for failing too long: an audit event (and the admin pages show a banner from the webhook row).
      onDisabled: async (webhook) => void (await events.emit({ type: 'webhook.disabled', actor: 'foyer', data: { webhook_id: webhook.id, name: webhook.name, reason: 'failing', failing_since: webhook.failingSince.toISOString() } })),
      settings: {
        allowPrivate: config.outboundAllowPrivate, timeoutMs: config.webhooks.timeoutSeconds * 1000, maxAttempts: config.webhooks.maxAttempts,
        retryBaseSeconds: config.webhooks.retryBaseSeconds, batchSize: 20, disableAfterFailingSeconds: config.webhooks.disableAfterFailingSeconds,
      },
    }),
  });
  const resources = createResourceStore(db);
  const clientScopes = (c: { scope: string }) => c.scope.split(' ');
  const profileFields = createProfileFieldAdmin({
    db, queries: profileQueries, reload: () => profile.load(), claimNamespace: config.profile.claimNamespace,
    purposeExists: async (id) => (await consentModule.registry.findPurpose(id)) !== undefined,
    reservedScopes: async () => ['openid', 'offline_access', 'account', ...[...builtInResources(config.issuer).values()].flat(), ...(await resources.listResources()).flatMap((r) => r.scopes)],
    clientsWithScopes: async (scopes) => (await clients.listClients()).map((c) => ({ clientId: c.client_id, scopes: clientScopes(c).filter((s) => scopes.includes(s)) })).filter((c) => c.scopes.length > 0),
    fieldUsers: async (key) => [
      ...(await webhooks.list()).filter((w) => w.fields.includes(key)).map((w) => `webhook ${w.name}`),
      ...(await clients.listClients()).filter((c) => [...c.profile_required, ...c.profile_optional].includes(key)).map((c) => `client ${c.client_id}`),
    ],
  });
  metrics.watch({ outboxDepth: () => webhooks.dispatcher.pendingCount(), pool: () => poolStats(db), argon2: () => hasher.load() });
  const customerImportQueries = createCustomerImportQueries(db);
  const firebase = config.passwordImport.firebaseScrypt;
  const customerImport = createCustomerImport({
    db, queries: customerImportQueries, profileValues: profileQueries, identities: federatedIdentities, emit: (event, trx) => events.emit(event, trx), log,
    // The config's fields are seeded first, so a fresh database (the command run before the server) knows them.
    profileFields: async () => (await profile.seedAndLoad()).byKey,
    firebase: firebase && { memCost: firebase.memCost, rounds: firebase.rounds, saltSeparator: firebase.saltSeparator, signerKeyConfigured: true },
  });
  const enrolProof = createEnrolmentProof({
    flows, codes, accounts, throttle, mailer, codeTtlSeconds,
    hasSecondFactor: async (accountId) => (await totp.hasTotp(accountId)) || (await passkeys.hasPasskey(accountId)),
  });
  const portalLinks = createPortalLinks({
    db, accounts, flows, throttle, mailer, events, isMfaEnabled: mfaQueries.isMfaEnabled, linkTtlSeconds: codeTtlSeconds, linkBaseUrl: `${config.issuer}/account/link/`,
  });
  /** An operator's actions on customers; the protocol side (sign-out, an app's access) comes from the HTTP edge's ports. */
  const customerCare = (ports: Pick<CustomerCareDeps, 'signOut' | 'revokeApp'>) => createCustomerCare({
    db, accounts, events, mailer, ...ports,
    secondFactor: createSecondFactorReset({ totp: createTotpQueries(db), recoveryCodes: createRecoveryCodeQueries(db), mfa: mfaQueries }),
    unlockSubjects: (subjects) => throttle.unlockSubjects(subjects),
    // Keyed per account, so one operator's sends never use up another customer's allowance.
    mailAccountLink: async (email) => ((await portalLinks.requestLink({ email, address: `admin:${email}` })).status === 'sent' ? 'sent' : 'throttled'),
    signInUrl: `${config.issuer}/account`,
    savedLocale: (id) => profile.savedLocale(id),
    requestErasure: async (accountId) => {
      const status = await privacy.erasure.requestErasure(accountId, { channel: 'admin' });
      return { eraseAfter: status.state === 'pending' ? status.eraseAfter : undefined };
    },
  });
  return {
    config,
    db,
    metrics,
    customerCare,
    customerDirectory: createCustomerDirectory(db),
    // Read by the operators' customer view (values with their provenance).
    profileValues: profileQueries,
    auditLog: createAuditLog(db),
    customerImport,
    customerExport: createCustomerExport({ queries: customerImportQueries, profileValues: profileQueries, identities: federatedIdentities }),
    log,
    box,
    accounts,
    hasher,
    throttleQueries,
    /** Every credential check's attempts (reserve → verify → settle) and the code-mail limits. */
    throttle,
    consent,
    events,
    consentRegistry: consentModule.registry,
    purposes: consentModule.purposes,
    receipts: consentModule.receipts,
    consentVault: consentModule.vault,
    receiptKeys: consentModule.receiptKeys,
    preferences: consentModule.preferences,
    privacy,
    erasureNotice,
    webhooks,
    fieldRelease,
    flows,
    mailer,
    devOutbox: createDevOutboxQueries(db),
    clients,
    profile,
    profileFields,
    liteCapture: createLiteCapture({ db, flows, accounts, consent: createConsentQueries(db), profileValues: profileQueries, events, throttle: throttleQueries, mailer, brands, hashKey: deriveKey(config.secret, 'lite-capture'), settings: config.capture, confirmBaseUrl: `${config.issuer}/capture/confirm/` }),
    resources,
    signingKeys: createSigningKeyStore(db, box),
    oidcModels: createOidcModelQueries(db),
    protocol,
    portalSessions: createPortalSessions(db),
    admins: createAdmins(db),
    accountSecurity,
    emailChange: createEmailChange({ db, accounts, flows, codes, throttle, mailer, events, codeTtlSeconds }),
    portalLinks,
    consentWithdrawal: createConsentWithdrawal({ db, queries: createConsentQueries(db), events }),
    views,
    brands,
    brandSharing,
    connectorStore,
    connectors,
    federatedIdentities,
    federation,
    federationEmail,
    linkProof,
    profileImport,
    loginFlows: createLoginFlows(flows, 3600),
    passwords,
    registration: createRegistration({ db, flows, codes, accounts, consent, hasher, throttle, mailer, policy, codeTtlSeconds, emit }),
    recovery: createRecovery({ db, flows, codes, accounts, hasher, throttle, mailer, policy, codeTtlSeconds, emit }),
    webauthn,
    passkeys,
    passkeyOffers: createPasskeyOffers({
      queries: passkeyQueries, flows, hasTotp: totp.hasTotp,
      enrolmentNeedsProof: (accountId, amr, emailProved) => enrolProof.required({ scope: `offer:${accountId}`, accountId, amr, provedBySignIn: emailProved }),
    }),
    emailSignIn,
    // The first factors the journey checks through the registry (the second factors are the MFA step's).
    authenticators: createAuthenticatorRegistry([passwordAuthenticator(passwords), emailCodeAuthenticator(emailSignIn)]),
    deviceWatch: createDeviceWatch({ queries: createKnownDeviceQueries(db), mailer, hashKey: deriveKey(config.secret, 'known-devices'), accountUrl: `${config.issuer}/account/sessions` }),
    totp,
    recoveryCodes,
    rememberedDevices,
    mfaPolicy: { isMfaEnabled: mfaQueries.isMfaEnabled, isRememberedDevice: rememberedDevices.isRememberedDevice, linkAwaitsSecondFactor: linkProof.awaitsSecondFactor },
    mfaStep: createMfaStep({ db, flows, codes, accounts, mfa: mfaQueries, totp, recoveryCodes, throttle, mailer, box, issuer: config.brandName, codeTtlSeconds, hasPasskey: passkeys.hasPasskey, passkeys, enrolProof }),
    enrolProof,
  };
}

export type Services = ReturnType<typeof createServices>;
