// Owns the SQL that reads an account's name from its profile values for lists (the operators' customer
// search): name, given_name, family_name, nickname, in that order, joined by spaces; null when none is set.
export const NAME_FIELDS = ['name', 'given_name', 'family_name', 'nickname'];

/** An expression of the account's name (its bindings: NAME_FIELDS, in order). */
export const displayNameSql = (accountAlias: string) =>
  `(SELECT string_agg(p.value #>> '{}', ' ' ORDER BY CASE p.field WHEN 'name' THEN 0 WHEN 'given_name' THEN 1 WHEN 'family_name' THEN 2 ELSE 3 END)
      FROM profile_values p WHERE p.account_id = ${accountAlias}.id AND p.field IN (${NAME_FIELDS.map(() => '?').join(', ')}) AND jsonb_typeof(p.value) = 'string')`;
