// The error summary's parts: which field a page's single error is about, a link per field error (profile
// fields by their control ids), and the aria attributes a field gets from {{fieldAria}}.
import { describe, expect, it } from 'vitest';
import { errorSummary, fieldAria } from '../../../src/http/error-summary.ts';

describe('errorSummary', () => {
  it('points a single error at the page’s main field, or the one named', () => {
    expect(errorSummary('journey/password', { error: 'Incorrect email or password.' })).toMatchObject({ errorField: 'password', invalidFields: ['password'], hasErrors: true });
    expect(errorSummary('journey/reset', { error: 'Too short.', errorField: 'new_password' }).errorField).toBe('new_password');
    expect(errorSummary('journey/password', {})).toEqual({ errorLinks: [], invalidFields: [], hasErrors: false });
    expect(errorSummary('journey/consent', { error: 'Something.' })).toMatchObject({ errorLinks: [], invalidFields: [], hasErrors: true });
  });

  it('links each field error to its control; profile fields by their control ids; lists of links are left alone', () => {
    expect(errorSummary('journey/signup', { errors: { email: 'Enter an email.', password: undefined, terms: 'Accept.' } }).errorLinks)
      .toEqual([{ href: '#email', message: 'Enter an email.' }, { href: '#terms', message: 'Accept.' }]);
    const fields = [{ key: 'given_name', isText: true }, { key: 'newsletter', type: 'boolean' }, { control: { key: 'gender', type: 'single_choice' } }];
    expect(errorSummary('journey/profile', { fields, errors: { given_name: 'Too long.', newsletter: 'Pick one.', gender: 'Pick one.' } }).errorLinks.map((l) => l.href))
      .toEqual(['#field-given_name', '#field-newsletter-yes', '#field-gender-0']);
    expect(errorSummary('admin/client-form', { errors: [{ href: '#client-form', message: 'No.' }] }).errorLinks).toEqual([]);
  });
});

describe('fieldAria', () => {
  it('names the help and, when the error is about the field, the summary’s message; escapes ids', () => {
    expect(fieldAria({ errorField: 'code', invalidFields: ['code'] }, 'code', ['code-help'])).toBe('aria-describedby="code-help error-message" aria-invalid="true"');
    expect(fieldAria({}, 'email', ['email-help'])).toBe('aria-describedby="email-help"');
    expect(fieldAria({}, 'email', [])).toBe('');
    expect(fieldAria({}, 'x', ['a"b'])).toBe('aria-describedby="a&#34;b"');
  });
});
