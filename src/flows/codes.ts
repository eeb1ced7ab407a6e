// Owns one-time codes: 6 digits, stored keyed-hashed, single use, expiring, a few guesses each.
import type { CredentialThrottle } from '../authn/credential-throttle.ts';
import { constantTimeEqual, keyedHash, randomDigits } from '../security/tokens.ts';
import type { FlowQueries } from './queries.ts';

export type CodeVerdict = 'ok' | 'invalid' | 'expired' | 'exhausted';

export interface CodeOptions {
  hashKey: Buffer;
  ttlSeconds: number;
  maxAttempts: number;
}

export function createCodeService(queries: FlowQueries, options: CodeOptions) {
  const hashOf = (flowId: string, purpose: string, code: string) => keyedHash(options.hashKey, `${flowId}|${purpose}|${code}`);

  return {
    /** Stores a new code for the flow; `code` when the caller derived it (a sign-in link's code), else a random one. */
    async issueCode(flowId: string, purpose: string, code: string = randomDigits(6)): Promise<string> {
      await queries.insertCode({ flowId, purpose, codeHash: hashOf(flowId, purpose, code), ttlSeconds: options.ttlSeconds });
      return code;
    },
    async verifyCode(flowId: string, purpose: string, code: string): Promise<CodeVerdict> {
      const row = await queries.findLiveCode(flowId, purpose);
      if (!row) return 'expired';
      if (new Date(row.expires_at).getTime() <= Date.now()) return 'expired';
      if (row.attempts >= options.maxAttempts) return 'exhausted';
      const candidate = code.replace(/\s+/g, '');
      if (!constantTimeEqual(hashOf(flowId, purpose, candidate), row.code_hash)) {
        const attempts = await queries.countCodeAttempt(row.id);
        return attempts >= options.maxAttempts ? 'exhausted' : 'invalid';
      }
      return (await queries.consumeCode(row.id)) ? 'ok' : 'expired';
    },
  };
}

export type CodeService = ReturnType<typeof createCodeService>;

export type ThrottledCodeVerdict = { status: 'ok' } | { status: Exclude<CodeVerdict, 'ok'> } | { status: 'throttled'; retryAfterSeconds: number };

/** Checks a mailed code under the credential throttle: wrong guesses count against email+address. */
export async function verifyThrottledCode(
  codes: CodeService,
  throttle: CredentialThrottle,
  input: { kind: string; email: string; address: string; flowId: string; purpose: string; code: string },
): Promise<ThrottledCodeVerdict> {
  const gate = await throttle.checkCredential(input.kind, input.email, input.address);
  if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
  const verdict = await codes.verifyCode(input.flowId, input.purpose, input.code);
  if (verdict === 'invalid' || verdict === 'exhausted') await throttle.recordFailure(input.kind, input.email, input.address);
  if (verdict !== 'ok') return { status: verdict };
  await throttle.recordSuccess(input.kind, input.email, input.address);
  return { status: 'ok' };
}

export function describeCodeVerdict(verdict: Exclude<CodeVerdict, 'ok'>): string {
  switch (verdict) {
    case 'invalid': return 'That code is not right. Check the latest email and try again.';
    case 'expired': return 'That code has expired. Ask for a new one.';
    case 'exhausted': return 'Too many wrong codes. Ask for a new one.';
  }
}
