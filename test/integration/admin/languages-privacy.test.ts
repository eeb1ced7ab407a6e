// The admin pages about privacy speak the operator's language too: purposes and topics, documents and their
// versions, consent, administrators and the consent vault (its chart included), each date written by Intl in
// that language rather than as an ISO string; and a confirmation read in Russian or Arabic still does its work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import { consentIfAsked, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty } from '../../support/relying-party.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
let customerId: string;
const CUSTOMER = 'nadia@example.com';

beforeAll(async () => {
  server = await startAdminPagesServer();
  // A customer who signed up through an app: their records fill the vault and its chart.
  const app = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile' });
  const browser = newBrowser();
  const callback = await consentIfAsked(browser, await signUp(server, browser, await browser.get((await app.authorizationUrl()).url), CUSTOMER, 'a long and unusual passphrase'));
  expect(callback.url.startsWith(CALLBACK)).toBe(true);
  customerId = (await server.services.accounts.findAccountByEmail(CUSTOMER))!.id;
}, 120_000);
afterAll(async () => server?.stop());

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];
const DAY = { dateStyle: 'long' } as const;
const DATE = { dateStyle: 'medium' } as const;
const DATETIME = { dateStyle: 'medium', timeStyle: 'short' } as const;
const SECONDS = { dateStyle: 'medium', timeStyle: 'medium' } as const;
/** A date as the pages write it in `language` (UTC, as every admin page shows time). */
const written = (language: string, date: Date, style: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(language, { ...style, timeZone: 'UTC' }).format(date);
/** A table cell or list item that shows a date as an ISO string (2026-12-03, 2026-12-03 14:05). */
const ISO_IN_TEXT = /<(?:td|dd|li)>[^<]*\b\d{4}-\d{2}-\d{2}\b/;

describe('the privacy admin pages in the operator’s language', () => {
  it('reads Russian from the switcher: purposes, documents (a material version published after a Russian confirmation), customers, the audit log and signing out', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    await browser.get(`${server.url}/language/ru?next=/admin`);

    const purposes = await browser.get(`${server.url}/admin/purposes`);
    expect(htmlTag(purposes.html)).toBe('<html lang="ru" dir="ltr">');
    expect(purposes.html).toMatch(/<h1[^>]*>Цели и темы<\/h1>/);
    expect(purposes.html).toContain('>Категории данных (через запятую)</label>');
    expect(purposes.html).toContain('<td>Согласие</td>');
    expect(purposes.html).toContain('>Создать цель</button>');
    expect(purposes.html).not.toContain('Legal basis');
    const made = await browser.submit(purposes, '/admin/purposes', { id: 'surveys', legalBasis: 'consent', name: 'Surveys', description: 'We ask your opinion.', dataCategories: 'email' });
    expect(new URL(made.url).pathname).toBe('/admin/purposes/surveys');
    expect(made.html).toContain('Цель создана.');
    expect(made.html).toMatch(/<h1[^>]*>Цель surveys<\/h1>/);
    expect(await server.services.consentRegistry.findPurpose('surveys')).toMatchObject({ legalBasis: 'consent' });

    const terms = (await server.services.consentRegistry.listDocuments()).find((d) => d.id === 'terms')!;
    const document = await browser.get(`${server.url}/admin/documents/terms`);
    expect(document.html).toMatch(/<h2[^>]*>Опубликовать новую версию<\/h2>/);
    expect(document.html).toContain(`<td>${written('ru', terms.versions.at(-1)!.publishedAt, DATETIME)}</td>`);
    expect(document.html).not.toMatch(ISO_IN_TEXT);
    const confirm = await browser.submit(document, '/admin/documents/terms/versions', { version: '2', material: 'on' });
    expect(confirm.html).toMatch(/<h1[^>]*>Опубликовать версию 2 документа «[^»]+»\?<\/h1>/);
    expect(confirm.html).toContain('>Да, опубликовать</button>');
    expect(confirm.html).toContain('>Отмена</a>');
    expect((await server.services.consentRegistry.listDocuments()).find((d) => d.id === 'terms')!.versions.map((v) => v.version)).not.toContain('2');
    const published = await browser.submit(confirm, '/admin/documents/terms/versions', {});
    expect(published.html).toContain('Версия 2 опубликована.');
    expect((await server.services.consentRegistry.listDocuments()).find((d) => d.id === 'terms')!.versions.map((v) => v.version)).toContain('2');

    const account = (await server.services.accounts.findAccountById(customerId))!;
    const customers = await browser.get(`${server.url}/admin/customers?q=nadia`);
    expect(customers.html).toContain(`<td>${written('ru', account.createdAt, DATETIME)}</td>`);
    expect(customers.html).not.toMatch(ISO_IN_TEXT);
    const [latest] = await server.services.db('events').where({ account_id: customerId }).orderBy('created_at', 'desc').limit(1) as { created_at: Date | string }[];
    const audit = await browser.get(`${server.url}/admin/audit?target=${customerId}`);
    expect(audit.html).toContain(`<td>${written('ru', new Date(latest!.created_at), SECONDS)}</td>`);
    expect(audit.html).not.toMatch(ISO_IN_TEXT);

    const out = await browser.submit(audit, '/admin/logout', {});
    expect(htmlTag(out.html)).toBe('<html lang="ru" dir="ltr">');
    expect(out.html).toMatch(/<h1[^>]*>Вы вышли из системы<\/h1>/);
  });

  it('reads Arabic right to left: the vault with its chart, consent, administrators, a purpose, and a customer action confirmed in Arabic', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    browser.headers = () => ({ 'accept-language': 'ar' });

    const vault = await browser.get(`${server.url}/admin/vault?customer=${CUSTOMER}`);
    expect(htmlTag(vault.html)).toBe('<html lang="ar" dir="rtl">');
    expect(vault.html).toMatch(/<h1[^>]*>خزنة الموافقات<\/h1>/);
    expect(vault.html).toContain('>معرّف الغرض</label>');
    expect(vault.html).toContain('>تصدير بصيغة CSV</a>');
    const { records } = await server.services.consentVault.search({ accountId: customerId }, { limit: 1 });
    expect(records.length).toBe(1);
    expect(vault.html).toContain(`<tr data-record="${records[0]!.id}"><td>${written('ar', records[0]!.createdAt, SECONDS)}</td>`);
    expect(vault.html).toContain('<td>مُنحت</td>');
    // The chart: a bar per day titled with the day in Arabic and the count as an Arabic plural.
    const today = written('ar', new Date(), DAY);
    expect(vault.html).toMatch(new RegExp(`<title>${today}: [^<]*ممنوح[^<]*</title>`));
    expect(vault.html).toMatch(/<figcaption>إصدار المستند <strong>terms@1<\/strong>: /);
    expect(vault.html).not.toMatch(ISO_IN_TEXT);
    expect(vault.html).not.toContain('Records per day');

    const consent = await browser.get(`${server.url}/admin/consent`);
    expect(consent.html).toMatch(/<h1[^>]*>الأغراض والمستندات<\/h1>/);
    expect(consent.html).not.toMatch(ISO_IN_TEXT);

    const [operator] = (await server.services.admins.listAdmins()).filter((a) => a.email === OPERATOR);
    const admins = await browser.get(`${server.url}/admin/admins`);
    expect(admins.html).toMatch(/<h1[^>]*>المسؤولون<\/h1>/);
    expect(admins.html).toContain(`مشغّل، منذ ${written('ar', operator!.since, DATE)}`);

    const purpose = await browser.get(`${server.url}/admin/purposes/marketing`);
    expect(purpose.html).toMatch(/<h1[^>]*>الغرض marketing<\/h1>/);
    expect(purpose.html).toContain('>حفظ</button>');

    const customer = await browser.get(`${server.url}/admin/customers/${customerId}`);
    expect(customer.html).toContain(`<dd>${written('ar', (await server.services.accounts.findAccountById(customerId))!.createdAt, DATETIME)}</dd>`);
    const confirm = await browser.submit(customer, `/admin/customers/${customerId}/sign-out-everywhere`, {});
    expect(confirm.html).toContain('>إلغاء</a>');
    const done = await browser.submit(confirm, `/admin/customers/${customerId}/sign-out-everywhere`, {});
    expect(new URL(done.url).pathname).toBe(`/admin/customers/${customerId}`);
    expect(await server.services.db('events').where({ account_id: customerId, type: 'session.signed_out_everywhere' }).first()).toBeDefined();
  });
});
