// A schema's own message is a catalogue key, worded when the issue is read: in the reader's language, or in one
// named (English for a config file at start), with the issue's own facts (minimum, maximum, allowed values) and a
// refinement's params as the message's arguments. Every reader goes through issueMessage/describeIssue.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { brandSettingsSchema } from '../../../src/brands/schema.ts';
import { connectorIdSchema, connectorSchema } from '../../../src/config/connector-schema.ts';
import { profileFieldSchema } from '../../../src/config/profile-fields.ts';
import { LOCALES_DIR } from '../../../src/i18n/catalogue.ts';
import { runWithLanguage } from '../../../src/i18n/request-language.ts';
import { describeIssue, issueMessage } from '../../../src/i18n/zod.ts';

const firstIssue = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a refusal');
  return parsed.error.issues[0]!;
};
const inPolish = <T>(fn: () => T) => runWithLanguage({ chosen: 'pl' }, fn);

describe('schema messages', () => {
  it('words a key in the reader’s language, and in English outside a request', () => {
    const issue = firstIssue(connectorIdSchema, 'Not An Id');
    expect(issue.message).toBe('schema.connector.id');
    expect(issueMessage(issue)).toBe('must be lower-case letters, digits, - or _ (at most 40)');
    expect(inPolish(() => issueMessage(issue))).toBe('musi składać się z małych liter, cyfr, - lub _ (najwyżej 40)');
    expect(runWithLanguage({ accepted: 'ar' }, () => issueMessage(issue))).toBe('يجب أن يتكون من أحرف لاتينية صغيرة وأرقام و - أو _ (40 على الأكثر)');
  });

  it('words it in a named language whatever the reader’s (a config file at start, a stored import rejection)', () => {
    const issue = firstIssue(connectorIdSchema, 'link');
    expect(inPolish(() => issueMessage(issue, 'en'))).toBe('link, continue, email and import are reserved');
  });

  it('gives the message the issue’s own facts: a minimum with its plural, the allowed values as a list', () => {
    const secret = z.string().min(32, 'schema.text.at_least');
    expect(issueMessage(firstIssue(secret, 'short'))).toBe('must be at least 32 characters');
    expect(inPolish(() => issueMessage(firstIssue(secret, 'short')))).toBe('musi mieć co najmniej 32 znaki');
    const name = z.string().max(100, 'schema.name.too_long');
    expect(runWithLanguage({ chosen: 'ru' }, () => issueMessage(firstIssue(name, 'x'.repeat(101))))).toBe('Имя может содержать не более 100 символов.');
    const kind = z.enum(['grant', 'withdraw'], 'schema.one_of');
    expect(issueMessage(firstIssue(kind, 'maybe'))).toBe('one of grant, withdraw');
  });

  it('gives the message a refinement’s params, a list among them', () => {
    const reserved = firstIssue(profileFieldSchema, { key: 'sub', label: { en: 'Subject' } });
    expect(issueMessage(reserved)).toBe('sub: a profile field cannot be the sub claim, which Foyer asserts itself');
    expect(runWithLanguage({ chosen: 'de' }, () => issueMessage(reserved))).toBe('sub: Ein Profilfeld kann nicht der Claim sub sein, den Foyer selbst ausstellt');
    const missing = firstIssue(connectorSchema, { id: 'corp', kind: 'oidc', clientId: 'x' });
    expect(describeIssue(missing)).toBe('issuer: is required for kind oidc');
    expect(runWithLanguage({ chosen: 'fr' }, () => describeIssue(missing))).toBe('issuer: est requis pour le type oidc');
    const language = firstIssue(brandSettingsSchema, { name: 'Shop', defaultLanguage: 'xx' });
    expect(issueMessage(language)).toBe('must be one of the supported language tags: en, ar, ru, pl, pt, de, fr, es');
  });

  it('shows zod’s own words, and a message that is no key, as they are', () => {
    const builtIn = firstIssue(z.object({ n: z.number() }), { n: 'one' });
    expect(describeIssue(builtIn)).toBe(`n: ${builtIn.message}`);
    expect(issueMessage(firstIssue(z.string().regex(/^a$/, 'plain words'), 'b'))).toBe('plain words');
    expect(describeIssue(firstIssue(z.string().max(1, 'schema.text.at_most'), 'ab'), 'query')).toBe('query: at most 1 character');
  });

  // A reader that took issue.message itself would show a key: every reader goes through src/i18n/zod.ts.
  it('is read only through issueMessage or describeIssue', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
    const src = join(LOCALES_DIR, '../src');
    const direct = files(src).filter((file) => !file.endsWith(join('i18n', 'zod.ts')))
      .filter((file) => /\bissues?(?:\[[^\]]*\])?[!?]?\.message\b/.test(readFileSync(file, 'utf8')));
    expect(direct.map((file) => file.slice(src.length + 1))).toEqual([]);
  });
});
