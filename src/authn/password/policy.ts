// Owns the password policy: length bounds and rejection of the most common passwords.
// Pure: no I/O beyond the shipped list, which is loaded once.
import { t } from '../../i18n/translate.ts';
import { dictionary } from '@zxcvbn-ts/language-common';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common' | 'contains_email';

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

export function checkPassword(password: string, policy: PasswordPolicy, email?: string): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < policy.minLength) return 'too_short';
  if (length > policy.maxLength) return 'too_long';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'too_common';
  const local = email?.split('@')[0]?.toLowerCase();
  if (email && (lower === email.toLowerCase() || (local && local.length >= 4 && lower.includes(local)))) return 'contains_email';
  return undefined;
}

export function describePasswordProblem(problem: PasswordProblem, policy: PasswordPolicy): string {
  switch (problem) {
    case 'too_short': return t('common.password.too_short', { count: policy.minLength });
    case 'too_long': return t('common.password.too_long', { count: policy.maxLength });
    case 'too_common': return t('common.password.too_common');
    case 'contains_email': return t('common.password.contains_email');
  }
}
