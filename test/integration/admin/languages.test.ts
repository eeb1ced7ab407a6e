// The admin pages speak the operator's language: Arabic right to left from Accept-Language, Polish from the
// language switcher's cookie; the menu, the sign-out button, the pages' words and the refusal of a role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, VIEWER, postWithToken, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startAdminPagesServer();
});
afterAll(async () => server?.stop());

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];

describe('admin pages in the operator’s language', () => {
  it('reads Arabic right to left from Accept-Language, on the menu and several pages', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    browser.headers = () => ({ 'accept-language': 'ar' });
    const overview = await browser.get(`${server.url}/admin`);
    expect(htmlTag(overview.html)).toBe('<html lang="ar" dir="rtl">');
    expect(overview.html).toMatch(/<h1[^>]*>الإدارة<\/h1>/);
    expect(overview.html).toContain('>لوحة المؤشرات</a>');
    expect(overview.html).toContain('>تسجيل الخروج</button>');
    expect(overview.html).toContain('(مشغّل)');
    expect(overview.html).not.toContain('Sign out');
    expect(overview.html).not.toContain('Everything here can also be done');
    const dashboard = await browser.get(`${server.url}/admin/dashboard`);
    expect(htmlTag(dashboard.html)).toBe('<html lang="ar" dir="rtl">');
    expect(dashboard.html).toMatch(/<h1[^>]*>لوحة المؤشرات<\/h1>/);
    expect(dashboard.html).toContain('اكتمال الملف الشخصي');
    expect(dashboard.html).not.toContain('Profile completeness');
    const customers = await browser.get(`${server.url}/admin/customers`);
    expect(customers.html).toMatch(/<h1[^>]*>العملاء<\/h1>/);
    expect(customers.html).toContain('>بحث</button>');
    const customerId = /href="\/admin\/customers\/([0-9a-f-]{36})"/.exec(customers.html)?.[1];
    expect(customerId).toBeDefined();
    const customer = await browser.get(`${server.url}/admin/customers/${customerId}`);
    expect(customer.html).toMatch(/<h2[^>]*>طرق تسجيل الدخول<\/h2>/);
    expect(customer.html).toContain('>تعطيل الحساب</button>');
    const audit = await browser.get(`${server.url}/admin/audit`);
    expect(audit.html).toMatch(/<h1[^>]*>سجل التدقيق<\/h1>/);
    expect(audit.html).not.toContain('No events match');
  });

  it('reads Polish from the language switcher’s cookie, and refuses a viewer’s change in Polish', async () => {
    const { browser, page } = await signInToAdmin(server, VIEWER);
    await browser.get(`${server.url}/language/pl?next=/admin`);
    expect(browser.cookie('foyer_lang')).toBe('pl');
    const overview = await browser.get(`${server.url}/admin`);
    expect(htmlTag(overview.html)).toBe('<html lang="pl" dir="ltr">');
    expect(overview.html).toMatch(/<h1[^>]*>Administracja<\/h1>/);
    expect(overview.html).toContain('>Wyloguj się</button>');
    const webhooks = await browser.get(`${server.url}/admin/webhooks`);
    expect(webhooks.html).toMatch(/<h2[^>]*>Zarejestruj system zewnętrzny<\/h2>/);
    expect(webhooks.html).toContain('Nie ma jeszcze webhooków.');
    const refused = await postWithToken(browser, server, page, '/admin/webhooks', { name: 'x', url: 'https://example.com/hook' });
    expect(refused.status).toBe(403);
    expect(refused.html).toMatch(/<h1[^>]*>Niedozwolone dla Twojej roli<\/h1>/);
    expect(refused.html).toContain('To wymaga roli „operator”; Twoja rola to „przeglądający”.');
    expect(refused.html).toContain('foyer admins add EMAIL --role operator');
  });
});
