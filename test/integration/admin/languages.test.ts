// The admin pages speak the operator's language: Arabic right to left from Accept-Language, Polish from the
// language switcher's cookie; the menu, the sign-out button, the page titles and the refusal of a role.
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
    expect(overview.html).toContain('<h1>الإدارة</h1>');
    expect(overview.html).toContain('>لوحة المؤشرات</a>');
    expect(overview.html).toContain('>تسجيل الخروج</button>');
    expect(overview.html).toContain('(مشغّل)');
    expect(overview.html).not.toContain('Sign out');
    expect(overview.html).not.toContain('Everything here can also be done');
    const dashboard = await browser.get(`${server.url}/admin/dashboard`);
    expect(htmlTag(dashboard.html)).toBe('<html lang="ar" dir="rtl">');
    expect(dashboard.html).toContain('<h1>لوحة المؤشرات</h1>');
    expect(dashboard.html).toContain('اكتمال الملف الشخصي');
    expect(dashboard.html).not.toContain('Profile completeness');
  });

  it('reads Polish from the language switcher’s cookie, and refuses a viewer’s change in Polish', async () => {
    const { browser, page } = await signInToAdmin(server, VIEWER);
    await browser.get(`${server.url}/language/pl?next=/admin`);
    expect(browser.cookie('foyer_lang')).toBe('pl');
    const overview = await browser.get(`${server.url}/admin`);
    expect(htmlTag(overview.html)).toBe('<html lang="pl" dir="ltr">');
    expect(overview.html).toContain('<h1>Administracja</h1>');
    expect(overview.html).toContain('>Wyloguj się</button>');
    const refused = await postWithToken(browser, server, page, '/admin/webhooks', { name: 'x', url: 'https://example.com/hook' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('<h1>Niedozwolone dla Twojej roli</h1>');
    expect(refused.html).toContain('To wymaga roli „operator”; Twoja rola to „przeglądający”.');
    expect(refused.html).toContain('foyer admins add EMAIL --role operator');
  });
});
