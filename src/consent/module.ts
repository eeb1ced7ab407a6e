// Owns assembling the consent domain from its parts (ledger, registry, purposes, receipts, preferences),
// so the composition root wires one thing. Plain construction: no I/O happens here.
import type { AccountQueries } from '../accounts/queries.ts';
import type { Config } from '../config/schema.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { MailSender } from '../mail/mailer.ts';
import type { SecretBox } from '../security/envelope.ts';
import { deriveKey } from '../security/keys.ts';
import type { ThrottleQueries } from '../security/throttle.ts';
import { createPreferenceQueries } from './preferences/queries.ts';
import { createPreferences } from './preferences/service.ts';
import { createPurposeConsents } from './purposes.ts';
import { createConsentQueries } from './queries.ts';
import { createReceiptKeys } from './receipts/keys.ts';
import { createReceiptKeyQueries } from './receipts/queries.ts';
import { createReceiptService } from './receipts/service.ts';
import { createRegistryQueries } from './registry/queries.ts';
import { createConsentRegistry } from './registry/registry.ts';
import { createConsentService } from './service.ts';
import { createConsentVault } from './vault.ts';

export interface ConsentModuleDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  events: EventOutbox;
  accounts: AccountQueries;
  mailer: MailSender;
  throttle: ThrottleQueries;
  clientDocuments(clientId: string): Promise<string[]>;
  /** Whether an account restricted processing (src/privacy). */
  isRestricted(accountId: string): Promise<boolean>;
}

export function createConsentModule(deps: ConsentModuleDeps) {
  const { config, db, events } = deps;
  const queries = createConsentQueries(db);
  const registry = createConsentRegistry(db, createRegistryQueries(db), { consent: config.consent, preferences: config.preferences }, queries);
  const receiptKeys = createReceiptKeys(createReceiptKeyQueries(db), deps.box);
  const controllerName = config.consent.controller.name ?? config.brandName;
  const receipts = createReceiptService({
    queries, registry, keys: receiptKeys,
    settings: {
      issuer: config.issuer, brandName: config.brandName, jurisdiction: config.consent.jurisdiction, language: config.consent.defaultLocale,
      policyUrl: config.consent.policyUrl ?? `${config.issuer}/privacy`, controller: { ...config.consent.controller, name: controllerName },
    },
  });
  return {
    consent: createConsentService({ db, queries, events, clientDocuments: deps.clientDocuments }),
    registry,
    purposes: createPurposeConsents({ db, queries, registry, events, isRestricted: deps.isRestricted }),
    receiptKeys,
    receipts,
    vault: createConsentVault({ db, receipts }),
    preferences: createPreferences({
      db, queries: createPreferenceQueries(db), ledger: queries, registry, accounts: deps.accounts, events, mailer: deps.mailer, throttle: deps.throttle,
      settings: {
        hashKey: deriveKey(config.secret, 'preference-throttle'), confirmationSeconds: config.preferences.confirmationSeconds,
        mailsPerEmail: config.preferences.confirmationMailsPerEmail, mailsPerAddress: config.preferences.confirmationMailsPerAddress,
        windowSeconds: config.throttle.windowSeconds, confirmUrl: (token) => `${config.issuer}/preferences/confirm/${token}`,
        unsubscribeKey: deriveKey(config.secret, 'unsubscribe-links'), unsubscribeUrl: (token) => `${config.issuer}/preferences/unsubscribe/${token}`,
      },
    }),
  };
}

export type ConsentModule = ReturnType<typeof createConsentModule>;
