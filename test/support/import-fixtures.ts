// Customers of other systems for import tests: one per password hash format Foyer takes, each hash made
// here by the library of its kind from a known password (Firebase's from its published test parameters).
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hashSync as bcryptHash } from '@node-rs/bcrypt';

/** Firebase's published test parameters (github.com/firebase/scrypt README): project hash config and one user. */
export const FIREBASE_TEST = {
  signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  saltSeparator: 'Bw==', rounds: 8, memCost: 14,
  salt: '42xEC+ixf3L2lw==', password: 'user1password',
  hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
};

/** The `passwordImport` config a server needs for Firebase's hashes (the signer key comes from env in real configs). */
export const firebaseConfig = { firebaseScrypt: { signerKey: FIREBASE_TEST.signerKey, saltSeparator: FIREBASE_TEST.saltSeparator, rounds: FIREBASE_TEST.rounds, memCost: FIREBASE_TEST.memCost } };

const b64 = (bytes: Buffer) => bytes.toString('base64');
/** PHC strings carry base64 without padding. */
const phc64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export interface ImportedCustomer {
  email: string;
  password: string;
  row: Record<string, unknown>;
}

/** One customer per format, each row as the other system exports it (plus Foyer's own members). */
export async function customersOfEveryFormat(domain = 'example.com'): Promise<ImportedCustomer[]> {
  const password = 'old system passphrase 1';
  const bcrypt = bcryptHash(password, 4); // $2b$
  const pbkdf2Salt = randomBytes(16);
  const scryptSalt = randomBytes(16);
  const auth0Pbkdf2Salt = randomBytes(16);
  const customer = (name: string, row: Record<string, unknown>, pw = password): ImportedCustomer => ({ email: `${name}@${domain}`, password: pw, row: { email: `${name}@${domain}`, ...row } });
  return [
    // bcrypt's three prefixes: PHP writes $2y$, older libraries $2a$; the same algorithm for such passwords.
    customer('bcrypt-2a', { password_hash: `$2a$${bcrypt.slice(4)}`, email_verified: true, profile: { given_name: 'Ada' } }),
    customer('bcrypt-2b', { password_hash: bcrypt, external_id: 'legacy-2b' }),
    customer('bcrypt-2y', { password_hash: `$2y$${bcrypt.slice(4)}` }),
    customer('argon2', { password_hash: await argon2Hash(password, { algorithm: 1, memoryCost: 8192, timeCost: 2, parallelism: 1 }) }),
    customer('keycloak-sha256', {
      credentials: [{
        type: 'password',
        secretData: JSON.stringify({ value: b64(pbkdf2Sync(password, pbkdf2Salt, 27500, 64, 'sha256')), salt: b64(pbkdf2Salt), additionalParameters: {} }),
        credentialData: JSON.stringify({ hashIterations: 27500, algorithm: 'pbkdf2-sha256', additionalParameters: {} }),
      }],
    }),
    customer('keycloak-sha512', {
      credentials: {
        type: 'password',
        secretData: { value: b64(pbkdf2Sync(password, pbkdf2Salt, 30000, 64, 'sha512')), salt: b64(pbkdf2Salt) },
        credentialData: { hashIterations: 30000, algorithm: 'pbkdf2-sha512' },
      },
    }),
    customer('scrypt', { password_hash: `$scrypt$ln=14,r=8,p=1$${phc64(scryptSalt)}$${phc64(scryptSync(password, scryptSalt, 64, { N: 16384, r: 8, p: 1 }))}` }),
    customer('firebase', { password_hash: `$firebase-scrypt$${FIREBASE_TEST.salt}$${FIREBASE_TEST.hash}`, email_verified: true }, FIREBASE_TEST.password),
    customer('auth0-bcrypt', { custom_password_hash: { algorithm: 'bcrypt', hash: { value: bcrypt } } }),
    customer('auth0-argon2', { custom_password_hash: { algorithm: 'argon2', hash: { value: await argon2Hash(password, { algorithm: 2, memoryCost: 9216, timeCost: 1, parallelism: 1 }), encoding: 'utf8' } } }),
    customer('auth0-pbkdf2', {
      custom_password_hash: {
        algorithm: 'pbkdf2',
        hash: { value: `$pbkdf2-sha512$i=10000,l=64$${phc64(auth0Pbkdf2Salt)}$${phc64(pbkdf2Sync(password, auth0Pbkdf2Salt, 10000, 64, 'sha512'))}`, encoding: 'utf8' },
      },
    }),
    customer('auth0-scrypt', {
      custom_password_hash: {
        algorithm: 'scrypt', hash: { value: b64(scryptSync(password, 'pepper-free salt', 32, { N: 16384, r: 8, p: 1 })), encoding: 'base64' },
        salt: { value: 'pepper-free salt', encoding: 'utf8' }, keylen: 32, cost: 16384, blockSize: 8, parallelization: 1,
      },
    }),
  ];
}

export const jsonLines = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
