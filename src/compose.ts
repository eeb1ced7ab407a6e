// Composition root shared by the server, the CLI and the tests: builds every service from config + db.
// Only composition code (main.ts, cli/, test support) imports this.
import type { Config } from './config/schema.ts';
import { isLoopbackIssuer } from './config/load.ts';
import type { Db } from './db/create-db.ts';
import type { Logger } from './log.ts';
import { createAccountQueries } from './accounts/queries.ts';
import { createCredentialThrottle } from './authn/credential-throttle.ts';
import { createPasswordAuthenticator } from './authn/password/authenticator.ts';
import { createConsentQueries } from './consent/queries.ts';
import { createConsentService } from './consent/service.ts';
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
  return {
    config,
    db,
    log,
    box,
    accounts,
    hasher,
    throttleQueries,
    consent,
    flows,
    mailer,
    devOutbox: createDevOutboxQueries(db),
    clients: createClientStore(db, box),
    resources: createResourceStore(db),
    signingKeys: createSigningKeyStore(db, box),
    oidcModels: createOidcModelQueries(db),
    protocol: createProtocolPort(db),
    views: createViews({ brandName: config.brandName }),
    loginFlows: createLoginFlows(flows, 3600),
    passwords: createPasswordAuthenticator({ accounts, hasher, throttle }),
    registration: createRegistration({ db, flows, codes, accounts, consent, hasher, throttle, mailer, policy, codeTtlSeconds }),
    recovery: createRecovery({ db, flows, codes, accounts, hasher, throttle, mailer, policy, codeTtlSeconds }),
  };
}

export type Services = ReturnType<typeof createServices>;
