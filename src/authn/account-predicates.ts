// Owns SQL predicates over the authn tables for lists that filter accounts (the operators' customer search):
// given the SQL expression of an account id, whether the account has a second factor or a passkey.
/** True when the account has turned "always ask for a second factor" on, or has a confirmed authenticator app. */
export const hasSecondFactorSql = (accountAlias: string) =>
  `(${accountAlias}.mfa_enabled OR EXISTS (SELECT 1 FROM totp_credentials t WHERE t.account_id = ${accountAlias}.id AND t.confirmed_at IS NOT NULL))`;

/** True when the account has at least one passkey. */
export const hasPasskeySql = (accountAlias: string) => `(EXISTS (SELECT 1 FROM passkeys k WHERE k.account_id = ${accountAlias}.id))`;
