// Owns one-time codes: 6 digits, stored keyed-hashed, single use, expiring, a few guesses each.
import { t } from '../i18n/translate.ts';
import type { Attempts } from '../authn/attempts.ts';
import { constantTimeEqual, keyedHash, randomDigits } from '../security/tokens.ts';
import type { FlowStore } from './store.ts';

export type CodeVerdict = 'ok' | 'invalid' | 'expired' | 'exhausted';

export interface CodeOptions {
  hashKey: Buffer;
  ttlSeconds: number;
  maxAttempts: number;
}

export function createCodeService(queries: FlowStore, options: CodeOptions) {
  const hashOf = (flowId: string, purpose: string, code: string) => keyedHash(options.hashKey, `${flowId}|${purpose}|${code}`);

  return {
    /** Stores a new code for the flow; `code` when the caller derived it (a sign-in link's code), else a random one. */
    async issueCode(flowId: string, purpose: string, code: string = randomDigits(6)): Promise<string> {
      await queries.insertCode({ flowId, purpose, codeHash: hashOf(flowId, purpose, code), ttlSeconds: options.ttlSeconds });
      return code;
    },
    /** Counts the guess first (attempts.ts's rule for every secret), then compares it, then consumes the code. */
    async verifyCode(flowId: string, purpose: string, code: string): Promise<CodeVerdict> {
      const row = await queries.findLiveCode(flowId, purpose);
      if (!row || new Date(row.expires_at).getTime() <= Date.now()) return 'expired';
      const attempts = await queries.reserveCodeAttempt(row.id, options.maxAttempts);
      if (attempts === undefined) return (await queries.findLiveCode(flowId, purpose))?.id === row.id ? 'exhausted' : 'expired';
      const candidate = code.replace(/\s+/g, '');
      if (!constantTimeEqual(hashOf(flowId, purpose, candidate), row.code_hash)) return attempts >= options.maxAttempts ? 'exhausted' : 'invalid';
      return (await queries.consumeCode(row.id)) ? 'ok' : 'expired';
    },
  };
}

export type CodeService = ReturnType<typeof createCodeService>;

export type ThrottledCodeVerdict = { status: 'ok' } | { status: Exclude<CodeVerdict, 'ok'> } | { status: 'throttled'; retryAfterSeconds: number };

/** Checks a mailed code under the credential throttle (kind, subject, address), then under the code's own limit. */
export async function verifyThrottledCode(
  codes: CodeService,
  throttle: Attempts,
  input: { kind: string; subject: string; address: string; flowId: string; purpose: string; code: string },
): Promise<ThrottledCodeVerdict> {
  return throttle.attempt(
    { kind: input.kind, subject: input.subject, address: input.address },
    async () => ({ status: await codes.verifyCode(input.flowId, input.purpose, input.code) }),
    // An expired code was never compared: that attempt is given back.
    ({ status }) => (status === 'ok' ? 'success' : status === 'expired' ? 'void' : 'failure'),
  );
}

export function describeCodeVerdict(verdict: Exclude<CodeVerdict, 'ok'>): string {
  switch (verdict) {
    case 'invalid': return t('common.code.invalid');
    case 'expired': return t('common.code.expired');
    case 'exhausted': return t('common.code.exhausted');
  }
}
