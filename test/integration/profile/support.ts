// Shared by the profile tests: a schema with sign-up, Nth-visit and custom-scope fields, and small steps.
import { expect } from 'vitest';
import type { ProfileFieldInput } from '../../../src/config/profile-fields.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import type { TestServer } from '../../support/test-server.ts';

export const NAMESPACE = 'https://shop.example/claims/';

export const FIELDS: ProfileFieldInput[] = [
  { key: 'given_name', label: { en: 'First name', fr: 'Prénom' }, ask: 'signup', priority: 10 },
  { key: 'family_name', label: { en: 'Last name' }, ask: 'signup', priority: 9 },
  { key: 'nickname', label: { en: 'Nickname' }, help: { en: 'What friends call you.' }, ask: 'signup', priority: 1 },
  { key: 'birthdate', type: 'date', label: { en: 'Date of birth' }, purpose: 'age-check', ask: { fromVisit: 2 }, priority: 5 },
  {
    key: 'favourite_colour', type: 'single_choice', label: { en: 'Favourite colour' }, scope: 'preferences', purpose: 'personalisation', ask: { fromVisit: 3 },
    options: [{ value: 'red', label: { en: 'Red' } }, { value: 'blue', label: { en: 'Blue' } }],
  },
  { key: 'shoe_size', type: 'number', label: { en: 'Shoe size' }, scope: 'preferences', validation: { min: 30, max: 50 } },
];

const text = (name: string) => ({ en: { name, description: `${name}.` } });

/** The purposes the fields are held for (a field whose purpose is not registered is never released). */
export const PURPOSES = [
  { id: 'account', legalBasis: 'contract', dataCategories: ['email'], texts: text('Your account') },
  { id: 'age-check', legalBasis: 'legal_obligation', dataCategories: ['date of birth'], texts: text('Age check') },
  { id: 'personalisation', legalBasis: 'legitimate_interest', dataCategories: ['preferences'], texts: text('Personalisation') },
];

export const profileConfig = { claimNamespace: NAMESPACE, fields: FIELDS };

/** The field names of the profile page's inputs, in order. */
export function askedFields(page: Page): string[] {
  expect(page.url).toMatch(/\/profile$/);
  return [...new Set([...page.html.matchAll(/<input id="field-[^"]*" name="([^"]+)"/g)].map((m) => m[1]!))];
}

/** Sends the last visit back in time, so the next sign-in is a new visit. */
export async function endVisit(server: TestServer, accountId: string): Promise<void> {
  await server.dbHandle.db('profile_visits').where({ account_id: accountId }).update({ last_visit_at: new Date(Date.now() - 13 * 3_600_000) });
}

export async function visits(server: TestServer, accountId: string): Promise<number> {
  const row = await server.dbHandle.db('profile_visits').where({ account_id: accountId }).first() as { visits: number } | undefined;
  return Number(row?.visits ?? 0);
}

export const isProfilePage = (page: Page) => /\/interaction\/[^/]+\/profile$/.test(page.url);

export async function submitProfile(browser: FormBrowser, page: Page, fields: Record<string, string | string[]>): Promise<Page> {
  return browser.submit(page, '/profile', fields); // the first form on the page; "Not now" is /profile/skip
}
