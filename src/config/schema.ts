// Owns the shape of Foyer's configuration: every key, its default, and the line that documents it.
// Must not import anything from Foyer: it is the bottom of the stack.
import { z } from 'zod';
import { connectorSchema } from './connector-schema.ts';
import { consentConfigSchema, preferencesConfigSchema } from './consent-schema.ts';
import { profileFieldSchema } from './profile-fields.ts';


const durationSeconds = z.number().int().positive();

export const configSchema = z.object({
  port: z.number().int().min(0).max(65535).default(3000).describe('HTTP port.'),
  host: z.string().min(1).optional().describe('Address to listen on; by default loopback (127.0.0.1) when the issuer is on loopback, else all interfaces.'),
  issuer: z.url().optional().describe('The OIDC issuer URL; defaults to http://localhost:$PORT.'),
  databaseUrl: z.string().optional().describe('PostgreSQL connection string; without it Foyer uses an embedded PGlite database in dataDir.'),
  dataDir: z.string().default('./data').describe('Folder for the embedded database, its lock and control socket, and generated dev secrets.'),
  smtpUrl: z.string().optional().describe('SMTP server for outgoing mail, e.g. smtp://user:pass@host:587 or smtps://host.'),
  mailFrom: z.string().default('Foyer <no-reply@localhost>').describe("Sender of Foyer's mails."),
  secret: z.string().min(32, 'schema.text.at_least').optional().describe('Key that encrypts secrets at rest and signs cookies (at least 32 characters).'),
  trustProxy: z.union([z.boolean(), z.number().int().min(0).max(10)]).default(0).transform((v) => (v === true ? 1 : v === false ? 0 : v))
    .describe('How many proxies (load balancers) stand in front of Foyer: the client address is the X-Forwarded-For entry that many from the right (true = 1, false = 0 = none: the socket address). Never set it higher than the real number of hops.'),
  outboundAllowPrivate: z.boolean().default(false).describe('Let back-channel logout, webhooks and social-login upstreams (discovery, token, userinfo, keys) reach loopback and private addresses.'),
  nodeEnv: z.enum(['development', 'production', 'test']).default('development').describe('development or production; production refuses insecure settings and seeds no demo app.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level: fatal, error, warn, info, debug, trace or silent.'),
  brandName: z.string().min(1).default('Foyer').describe('Name shown on pages and in mails.'),
  brandTemplatesDir: z.string().min(1).optional().describe('Folder of brand template overrides, <brand-id>/<partial>.hbs (see docs/operators/brands.md), read and checked at start: a file that fails is refused with a log line and the built-in template is used. An override saved through the admin API wins over a file.'),
  argon2: z.object({
    memoryCost: z.number().int().min(8192).default(19456).describe('argon2id memory cost in KiB (OWASP: 19456).'),
    timeCost: z.number().int().min(1).default(2).describe('argon2id iterations (OWASP: 2).'),
    parallelism: z.number().int().min(1).default(1).describe('argon2id parallelism (OWASP: 1).'),
  }).prefault({}),
  password: z.object({
    minLength: z.number().int().min(8).default(10).describe('Minimum password length.'),
    maxLength: z.number().int().max(1024).default(256).describe('Maximum password length (argon2 takes any length; this bounds the work per request).'),
  }).prefault({}),
  throttle: z.object({
    emailAddressFailures: z.number().int().min(1).default(5).describe('Failed credential checks allowed for one email from one address per window.'),
    emailFailures: z.number().int().min(1).default(50).describe('Failed credential checks allowed for one email across all addresses per window, before slowing down.'),
    emailSlowdownSeconds: durationSeconds.default(30).describe('Past the per-email ceilings (failed checks, code mails), one attempt and one code mail per this many seconds still go through: the owner is slowed down, never locked out.'),
    addressFailures: z.number().int().min(100).default(100).describe('Failed credential checks allowed from one address per window (never below 100).'),
    windowSeconds: durationSeconds.default(900).describe('The window, in seconds.'),
    codeSendsPerEmail: z.number().int().min(1).default(5).describe('One-time code mails per email per window at full speed; past it, one per emailSlowdownSeconds.'),
    codeSendsPerAddress: z.number().int().min(1).default(30).describe('One-time code mails allowed per client address per window; past it, refused until the window ends.'),
  }).prefault({}),
  session: z.object({
    idleSeconds: durationSeconds.default(14 * 24 * 3600).describe('A session ends after this many seconds without use (to within a minute, or a hundredth of this when that is less: a use that would move the end on by less is not written).'),
    absoluteSeconds: durationSeconds.default(30 * 24 * 3600).describe('A session ends this many seconds after sign-in, whatever its use.'),
  }).prefault({}),
  tokens: z.object({
    accessTokenSeconds: durationSeconds.max(600).default(600).describe('Lifetime of access tokens, in seconds (JWT access tokens cannot be recalled, so at most 600).'),
    idTokenSeconds: durationSeconds.default(3600).describe('Lifetime of ID tokens, in seconds.'),
    refreshTokenSeconds: durationSeconds.default(30 * 24 * 3600).describe('Lifetime of refresh tokens, in seconds.'),
    refreshReuseGraceSeconds: z.number().int().min(0).max(60).default(10).describe('A rotated-out refresh token still works for this many seconds (tabs refreshing at once).'),
  }).prefault({}),
  codes: z.object({
    ttlSeconds: durationSeconds.default(600).describe('Lifetime of one-time codes sent by mail, in seconds.'),
    maxAttempts: z.number().int().min(1).max(10).default(5).describe('Wrong guesses allowed for one code before a new one is needed.'),
  }).prefault({}),
  webauthn: z.object({
    rpId: z.string().min(1).optional().describe('Passkey (WebAuthn) relying party ID; defaults to the issuer host name. An IP address cannot be one.'),
    rpName: z.string().min(1).optional().describe('Name the browser shows when creating a passkey; defaults to brandName.'),
    origins: z.array(z.url()).min(1).optional().describe('Origins where passkeys may be used, each on rpId or a subdomain of it; defaults to the issuer origin.'),
  }).prefault({}),
  connectors: z.array(connectorSchema).default([]).refine((list) => new Set(list.map((c) => c.id)).size === list.length, 'schema.unique.connectors')
    .describe('Upstream providers for social login, seeded into the database when their id is absent (see docs/operators/social-login.md): [{ id, kind (oidc, oauth2, google, microsoft, apple, facebook or github), clientId, clientSecret: {"env": "VAR"}, … }].'),
  privacy: z.object({
    erasureGraceDays: z.number().int().min(0).max(365).default(14).describe('Days between an erasure request and the purge; the customer may cancel until then (0: purge at the next sweep).'),
  }).prefault({}),
  profile: z.object({
    fields: z.array(profileFieldSchema).default([]).refine((list) => new Set(list.map((f) => f.key)).size === list.length, 'schema.unique.profile_fields')
      .describe('Profile fields seeded into the database when absent (the database is authoritative): [{ key, type, label: {en}, help, purpose, scope, claim, ask ("signup", {"fromVisit": N} or "never"), priority, validation, options }].'),
    maxOptionalPerVisit: z.number().int().min(0).max(20).default(2).describe('Optional profile fields asked at most per visit (a client may set its own).'),
    skipBackoffDays: z.number().int().min(0).max(3650).default(30).describe('Days before a field the customer skipped ("Not now") is asked again.'),
    visitGapHours: z.number().int().min(1).max(720).default(12).describe('Interactive sign-ins closer together than this count as one visit.'),
    claimNamespace: z.string().max(200).default('').describe('Prefix of custom claim names (e.g. https://brand.example/claims/); standard claims keep their names.'),
  }).prefault({}),
  capture: z.object({
    perEmail: z.number().int().min(1).default(3).describe('Lite sign-up (capture) mails allowed per email address per window.'),
    perAddress: z.number().int().min(1).default(20).describe('Lite sign-ups allowed per client IP address per window.'),
    perClient: z.number().int().min(1).default(1000).describe('Lite sign-ups allowed per client (app) per window.'),
    windowSeconds: durationSeconds.default(3600).describe('The capture window, in seconds.'),
    linkTtlSeconds: durationSeconds.default(86400).describe('Lifetime of the confirmation link mailed by a lite sign-up, in seconds.'),
    purposes: z.record(z.string().regex(/^[\w.:-]{1,64}$/), z.object({ label: z.record(z.string(), z.string().min(1).max(300)) }))
      .default({ newsletter: { label: { en: 'Send me news and offers by email' } } })
      .describe('Purposes a lite sign-up can consent to (purpose id → the checkbox label per locale).'),
  }).prefault({}),
  passwordImport: z.object({
    firebaseScrypt: z.object({
      signerKey: z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'schema.base64').describe('The project\'s base64 signer key: a secret, so a config file names it as {"env": "VAR"}.'),
      saltSeparator: z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'schema.base64').default('Bw==').describe('The project\'s base64 salt separator.'),
      rounds: z.number().int().min(1).max(32).default(8).describe('The project\'s rounds.'),
      memCost: z.number().int().min(1).max(20).default(14).describe('The project\'s mem cost.'),
    }).optional().describe('Firebase\'s password hash parameters (Authentication → Users → Password hash parameters), for importing Firebase customers with their passwords.'),
  }).prefault({}),
  admin: z.object({
    requireSecondFactor: z.boolean().default(true).describe('The admin pages (/admin) ask for a sign-in with a second factor (acr urn:foyer:acr:2fa); turn off only for local trials.'),
  }).prefault({}),
  webhooks: z.object({
    pollMilliseconds: z.number().int().min(50).max(60_000).default(1000).describe('How often each instance looks for webhook deliveries that are due, in milliseconds.'),
    timeoutSeconds: z.number().min(0.1).max(60).default(10).describe('How long a downstream system has to answer a webhook, in seconds.'),
    maxAttempts: z.number().int().min(1).max(20).default(8).describe('Attempts per webhook delivery before it is marked failed.'),
    retryBaseSeconds: z.number().min(0).max(3600).default(10).describe('Delay before a failed delivery is retried, in seconds; each later retry waits six times longer, at most ten hours.'),
    keepDays: z.number().int().min(1).max(365).default(30).describe('Days finished (delivered or failed) deliveries stay in the delivery log.'),
    disableAfterFailingSeconds: durationSeconds.default(3 * 24 * 3600).describe('A webhook whose deliveries keep failing (no success in between) for this many seconds is turned off, with an audit event and a banner on the admin pages; an administrator turns it on again.'),
  }).prefault({}),
  shutdown: z.object({
    drainSeconds: z.number().min(0).max(7).default(3).describe('On SIGTERM, how long the instance keeps serving after /readyz turns 503 (so a load balancer takes it out) before it stops taking connections; the whole stop stays within 10 s.'),
  }).prefault({}),
  metrics: z.object({
    token: z.string().min(32, 'schema.text.at_least').regex(/^[\w\-.~+/]+=*$/, 'schema.bearer_token').optional()
      .describe('Bearer token that lets a scraper read GET /metrics from anywhere (Authorization: Bearer <token>; at least 32 characters; a config file names it as {"env": "VAR"}). Without it, /metrics answers only peers on this machine connecting directly, and 404 to everyone else.'),
  }).prefault({}),
  keyRefreshSeconds: durationSeconds.default(10).describe('How often each instance checks for rotated signing keys, in seconds.'),
  consent: consentConfigSchema,
  preferences: preferencesConfigSchema,
  demo: z.boolean().default(true).describe('Seed the demo relying app at /demo on an empty database (never in production).'),
  demoProfile: z.boolean().default(true).describe('With the demo app (never in production) and no profile.fields configured: seed a demo profile schema on an empty database (first name at sign-up, birthday from the second visit, contact preference from the third) and count every sign-in as a new visit, so the progressive prompts show in one sitting.'),
});

export type Config = z.infer<typeof configSchema> & { issuer: string; secret: string };

/** Environment variables and the config keys they set (env wins over files). */
export const envBindings: Record<string, { path: string; type: 'string' | 'number' | 'boolean' | 'count' }> = {
  PORT: { path: 'port', type: 'number' },
  HOST: { path: 'host', type: 'string' },
  ISSUER: { path: 'issuer', type: 'string' },
  DATABASE_URL: { path: 'databaseUrl', type: 'string' },
  FOYER_DATA_DIR: { path: 'dataDir', type: 'string' },
  SMTP_URL: { path: 'smtpUrl', type: 'string' },
  MAIL_FROM: { path: 'mailFrom', type: 'string' },
  FOYER_SECRET: { path: 'secret', type: 'string' },
  TRUST_PROXY: { path: 'trustProxy', type: 'count' },
  OUTBOUND_ALLOW_PRIVATE: { path: 'outboundAllowPrivate', type: 'boolean' },
  NODE_ENV: { path: 'nodeEnv', type: 'string' },
  LOG_LEVEL: { path: 'logLevel', type: 'string' },
  SHUTDOWN_DRAIN_SECONDS: { path: 'shutdown.drainSeconds', type: 'number' },
  FOYER_DEMO_PROFILE: { path: 'demoProfile', type: 'boolean' },
  METRICS_TOKEN: { path: 'metrics.token', type: 'string' },
};
