// The ceiling for password sign-in: raw argon2id verifications per second on this machine, with the
// server's default cost (config/schema.ts: m=19456 KiB, t=2, p=1) and the sign-in's concurrency.
import { hash, verify } from '@node-rs/argon2';
import { closedLoop, type Measured } from './load.ts';

export const ARGON2_DEFAULTS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, which type stripping cannot inline)

export async function argon2Limit(options: { concurrency: number; warmupMs: number; durationMs: number; password: string }): Promise<Measured> {
  const stored = await hash(options.password, { algorithm: ARGON2ID, ...ARGON2_DEFAULTS });
  return closedLoop({
    concurrency: options.concurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    async operation() {
      if (!(await verify(stored, options.password))) throw new Error('argon2 verify returned false');
    },
  });
}
