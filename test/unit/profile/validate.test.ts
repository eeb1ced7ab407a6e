// Field validation: each type, length, range, pattern and options, with the claim's JSON shape out.
import { describe, expect, it } from 'vitest';
import { profileFieldSchema, type ProfileFieldInput } from '../../../src/config/profile-fields.ts';
import { buildProfileSchema } from '../../../src/profile/schema.ts';
import { validateFieldInput, validateFieldValue } from '../../../src/profile/validate.ts';

const field = (input: Omit<ProfileFieldInput, 'label'>) => buildProfileSchema([profileFieldSchema.parse({ label: { en: 'X' }, ...input })], { claimNamespace: 'https://b.example/', version: '1' }).fields[0]!;

describe('validateFieldInput', () => {
  it('treats blank input as empty', () => {
    expect(validateFieldInput(field({ key: 'nickname' }), ['  '], 'Nickname')).toEqual({ status: 'empty' });
  });
  it('checks string length and pattern', () => {
    const f = field({ key: 'code', validation: { minLength: 2, maxLength: 4, pattern: '[A-Z]+' } });
    expect(validateFieldInput(f, ['A'], 'Code')).toMatchObject({ status: 'invalid', message: 'Code must be at least 2 characters.' });
    expect(validateFieldInput(f, ['ABCDE'], 'Code')).toMatchObject({ status: 'invalid', message: 'Code must be at most 4 characters.' });
    expect(validateFieldInput(f, ['ab'], 'Code')).toMatchObject({ status: 'invalid', message: 'Code is not in the expected format.' });
    expect(validateFieldInput(f, [' AB '], 'Code')).toEqual({ status: 'ok', value: 'AB' });
  });
  it('checks numbers and their range', () => {
    const f = field({ key: 'shoe_size', type: 'number', validation: { min: 30, max: 50 } });
    expect(validateFieldInput(f, ['forty'], 'Shoe size')).toMatchObject({ status: 'invalid', message: 'Shoe size must be a number.' });
    expect(validateFieldInput(f, ['29'], 'Shoe size')).toMatchObject({ status: 'invalid', message: 'Shoe size must be at least 30.' });
    expect(validateFieldInput(f, ['51'], 'Shoe size')).toMatchObject({ status: 'invalid' });
    expect(validateFieldInput(f, ['42.5'], 'Shoe size')).toEqual({ status: 'ok', value: 42.5 });
  });
  it('checks real dates, and no birthdate in the future', () => {
    const f = field({ key: 'birthdate', type: 'date' });
    expect(validateFieldInput(f, ['1990-02-30'], 'Birthdate')).toMatchObject({ status: 'invalid' });
    expect(validateFieldInput(f, ['2999-01-01'], 'Birthdate')).toMatchObject({ status: 'invalid', message: 'Birthdate cannot be in the future.' });
    expect(validateFieldInput(f, ['1990-04-25'], 'Birthdate')).toEqual({ status: 'ok', value: '1990-04-25' });
  });
  it('checks booleans and choices', () => {
    expect(validateFieldInput(field({ key: 'vegan', type: 'boolean' }), ['true'], 'Vegan')).toEqual({ status: 'ok', value: true });
    expect(validateFieldInput(field({ key: 'vegan', type: 'boolean' }), ['maybe'], 'Vegan')).toMatchObject({ status: 'invalid' });
    const options = [{ value: 'red', label: { en: 'Red' } }, { value: 'blue', label: { en: 'Blue' } }];
    expect(validateFieldInput(field({ key: 'colour', type: 'single_choice', options }), ['green'], 'Colour')).toMatchObject({ status: 'invalid' });
    expect(validateFieldInput(field({ key: 'colour', type: 'single_choice', options }), ['red'], 'Colour')).toEqual({ status: 'ok', value: 'red' });
    expect(validateFieldInput(field({ key: 'colours', type: 'multi_choice', options }), ['red', 'blue', 'red'], 'Colours')).toEqual({ status: 'ok', value: ['red', 'blue'] });
    expect(validateFieldInput(field({ key: 'colours', type: 'multi_choice', options }), ['red', 'pink'], 'Colours')).toMatchObject({ status: 'invalid' });
  });
  it('gives standard claims their shape: E.164 phone numbers, web addresses, the address object', () => {
    expect(validateFieldInput(field({ key: 'phone_number' }), ['+44 20 7946 0958'], 'Phone')).toEqual({ status: 'ok', value: '+442079460958' });
    expect(validateFieldInput(field({ key: 'phone_number' }), ['020 7946'], 'Phone')).toMatchObject({ status: 'invalid' });
    expect(validateFieldInput(field({ key: 'website' }), ['javascript:alert(1)'], 'Website')).toMatchObject({ status: 'invalid' });
    expect(validateFieldInput(field({ key: 'address' }), ['1 Main St'], 'Address')).toEqual({ status: 'ok', value: { formatted: '1 Main St' } });
    expect(validateFieldValue(field({ key: 'address' }), { formatted: '1 Main St' }, 'Address')).toEqual({ status: 'ok', value: { formatted: '1 Main St' } });
  });
});

describe('the profile schema', () => {
  it('names custom claims with the namespace, standard ones as they are, and maps scopes to claims', () => {
    const schema = buildProfileSchema([
      profileFieldSchema.parse({ key: 'birthdate', type: 'date', label: { en: 'Birthdate' } }),
      profileFieldSchema.parse({ key: 'colour', label: { en: 'Colour' }, scope: 'preferences' }),
      profileFieldSchema.parse({ key: 'secret_note', label: { en: 'Note' }, scope: null }),
      profileFieldSchema.parse({ key: 'old', label: { en: 'Old' }, enabled: false }),
    ], { claimNamespace: 'https://b.example/', version: '1' });
    expect(schema.fields.map((f) => f.claimName)).toEqual(['birthdate', 'https://b.example/colour', 'https://b.example/secret_note']);
    expect(schema.scopeClaims).toEqual({ profile: ['birthdate'], preferences: ['https://b.example/colour'] });
    expect([...schema.disabledKeys]).toEqual(['old']);
  });
  it('keeps the scope of a disabled field known, releasing nothing, so clients registered with it still work', () => {
    const schema = buildProfileSchema([profileFieldSchema.parse({ key: 'tier', label: { en: 'Tier' }, scope: 'loyalty', enabled: false })], { claimNamespace: 'https://b.example/', version: '1' });
    expect(schema.scopeClaims).toEqual({ loyalty: [] });
    expect(schema.fields).toEqual([]);
  });
  it('refuses a choice field without options and a bad pattern', () => {
    expect(profileFieldSchema.safeParse({ key: 'c', type: 'single_choice', label: { en: 'C' } }).success).toBe(false);
    expect(profileFieldSchema.safeParse({ key: 'c', label: { en: 'C' }, validation: { pattern: '(' } }).success).toBe(false);
  });
});

describe('reserved claims', () => {
  it('no field may be sub, email or another claim Foyer asserts, by key, claim or namespace', () => {
    for (const input of [{ key: 'email' }, { key: 'sub' }, { key: 'mail', claim: 'email_verified' }]) {
      expect(profileFieldSchema.safeParse({ label: { en: 'X' }, ...input }).success, JSON.stringify(input)).toBe(false);
    }
    // A namespace that would turn a custom field into `sub` leaves that field out.
    const schema = buildProfileSchema([profileFieldSchema.parse({ key: 'ub', label: { en: 'X' } }), profileFieldSchema.parse({ key: 'colour', label: { en: 'C' } })], { claimNamespace: 's', version: '1' });
    expect(schema.fields.map((f) => f.claimName)).toEqual(['scolour']);
  });
});
