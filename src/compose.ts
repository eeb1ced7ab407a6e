// Composition root shared by the server, the CLI and the tests: builds every service from config + db.
// Only composition code (main.ts, cli/, test support) imports this.
import type { Config } from './config/schema.ts';
import { isLoopbackIssuer } from './config/load.ts';
import { resolveWebauthn } from './config/webauthn.ts';
import type { Db } from './db/create-db.ts';
import type { Logger } from './log.ts';
import { createAccountQueries } from './accounts/queries.ts';
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
import { createMfaStep } from './authn/mfa/step.ts';
import { createRecoveryCodeQueries } from './authn/recovery-codes/queries.ts';
import { createRecoveryCodes } from './authn/recovery-codes/recovery-codes.ts';
import { createTotpQueries } from './authn/totp/queries.ts';
import { createTotpAuthenticator } from './authn/totp/totp.ts';
import { createConsentQueries } from './consent/queries.ts';
import { createConsentService } from './consent/service.ts';
import { createEventOutbox } from './events/outbox.ts';
import { createConnectorRegistry } from './authn/federation/connectors.ts';
import { createFederatedIdentityQueries } from './authn/federation/identities.ts';
import { createFederatedSignIn } from './authn/federation/sign-in.ts';
import { createFederationEmailConfirmation } from './authn/federation/email-confirmation.ts';
import { createConnectorStore } from './authn/federation/connector-store.ts';
import { createImportQueries } from './authn/federation/import-queries.ts';
import { createLinkProof } from './authn/federation/link-proof.ts';
import { createLinkedIdentities } from './authn/federation/linked-identities.ts';
import { createProfileImport } from './authn/federation/profile-import.ts';
import { createCodeService } from './flows/codes.ts';
import { createLoginFlows } from './flows/login.ts';
import { createFlowQueries } from './flows/queries.ts';
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

export function devOutboxEnabled(config: Config): boolean {
  return !config.smtpUrl && config.nodeEnv !== 'production' && isLoopbackIssuer(config.issuer);
}

export function createServices(config: Config, db: Db, log: Logger) {
  const box = createSecretBox(config.secret);
  const accounts = createAccountQueries(db);
  const hasher = createPasswordHasher(config.argon2);
  const throttleQueries = createThrottleQueries(db);
  const throttle = createCredentialThrottle(throttleQueries, deriveKey(config.secret, 'throttle-keys'), config.throttle);
  const consent = createConsentService(db, createConsentQueries(db));
  const flows = createFlowQueries(db);
  const codes = createCodeService(flows, { hashKey: deriveKey(config.secret, 'one-time-codes'), ...config.codes });
  const mailer = createMailer(db, { smtpUrl: config.smtpUrl, from: config.mailFrom, brandName: config.brandName, devOutbox: devOutboxEnabled(config) }, log);
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
  const connectors = createConnectorRegistry(connectorStore, config.connectors, `${config.issuer}/federation/callback`);
  const federatedIdentities = createFederatedIdentityQueries(db);
  const federationEvents = createEventOutbox(db);
  const emit = federationEvents.emit.bind(federationEvents);
  const federation = createFederatedSignIn({ db, flows, connectors, identities: federatedIdentities, accounts, box, emit, stateKey: deriveKey(config.secret, 'federation-state') });
  const federationEmail = createFederationEmailConfirmation({ db, flows, codes, connectors, identities: federatedIdentities, accounts, throttle, mailer, box, emit, codeTtlSeconds: config.codes.ttlSeconds });
  const passwords = createPasswordAuthenticator({ accounts, hasher, throttle });
  const linkProof = createLinkProof({
    db, flows, codes, accounts, identities: federatedIdentities, connectors, passwords, throttle, mailer, box, emit, codeTtlSeconds,
    browserKey: deriveKey(config.secret, 'federation-link'), isMfaEnabled: mfaQueries.isMfaEnabled,
  });
  const importQueries = createImportQueries(db);
  const profileImport = createProfileImport({ db, queries: importQueries, flows, box, emit });
  const linkedIdentities = createLinkedIdentities({ db, identities: federatedIdentities, accounts, imports: importQueries, connectors, hasPasskey: passkeys.hasPasskey, emit });
  return {
    config,
    db,
    log,
    box,
    accounts,
    hasher,
    throttleQueries,
    consent,
    events: createEventOutbox(db),
    flows,
    mailer,
    devOutbox: createDevOutboxQueries(db),
    clients: createClientStore(db, box),
    resources: createResourceStore(db),
    signingKeys: createSigningKeyStore(db, box),
    oidcModels: createOidcModelQueries(db),
    protocol: createProtocolPort(db),
    views: createViews({ brandName: config.brandName }),
    connectorStore,
    connectors,
    federatedIdentities,
    federation,
    federationEmail,
    linkProof,
    profileImport,
    linkedIdentities,
    loginFlows: createLoginFlows(flows, 3600),
    passwords,
    registration: createRegistration({ db, flows, codes, accounts, consent, hasher, throttle, mailer, policy, codeTtlSeconds }),
    recovery: createRecovery({ db, flows, codes, accounts, hasher, throttle, mailer, policy, codeTtlSeconds }),
    webauthn,
    passkeys,
    passkeyOffers: createPasskeyOffers({ queries: passkeyQueries, flows }),
    emailSignIn: createEmailSignIn({ db, flows, codes, links: createSignInLinkQueries(db), accounts, throttle, mailer, codeTtlSeconds, linkBaseUrl: `${config.issuer}/signin/link/` }),
    deviceWatch: createDeviceWatch({ queries: createKnownDeviceQueries(db), accounts, mailer, hashKey: deriveKey(config.secret, 'known-devices'), accountUrl: `${config.issuer}/account` }),
    totp,
    recoveryCodes,
    rememberedDevices,
    mfaPolicy: { isMfaEnabled: mfaQueries.isMfaEnabled, isRememberedDevice: rememberedDevices.isRememberedDevice, linkAwaitsSecondFactor: linkProof.awaitsSecondFactor },
    mfaStep: createMfaStep({ db, flows, codes, accounts, mfa: mfaQueries, totp, recoveryCodes, throttle, mailer, box, issuer: config.brandName, codeTtlSeconds, hasPasskey: passkeys.hasPasskey }),
  };
}

export type Services = ReturnType<typeof createServices>;
