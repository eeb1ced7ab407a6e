// The admin pages that set Foyer up (apps, API resources, profile fields, signing keys, social login, brands)
// speak the operator's language: Polish from the switcher's cookie, Arabic right to left from Accept-Language.
// Headings, form labels, choices, confirmations and notices are translated, dates go through Intl, and the
// forms still save what they are sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import { CALLBACK } from '../../support/relying-party.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startAdminPagesServer({ profile: { fields: [{ key: 'given_name', label: { en: 'First name' } }] } });
});
afterAll(async () => server?.stop());

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];
const heading = (html: string) => /<h1[^>]*>([^<]*)</.exec(html)?.[1];

async function inPolish() {
  const { browser } = await signInToAdmin(server, OPERATOR);
  await browser.get(`${server.url}/language/pl?next=/admin`);
  expect(browser.cookie('foyer_lang')).toBe('pl');
  return browser;
}

async function inArabic() {
  const { browser } = await signInToAdmin(server, OPERATOR);
  browser.headers = () => ({ 'accept-language': 'ar' });
  return browser;
}

describe('the set-up pages in Polish', () => {
  it('register and change an app with Polish labels, the secret shown once in a Polish sentence', async () => {
    const browser = await inPolish();
    const form = await browser.get(`${server.url}/admin/clients/new`);
    expect(htmlTag(form.html)).toBe('<html lang="pl" dir="ltr">');
    expect(heading(form.html)).toBe('Zarejestruj aplikację');
    expect(form.html).toContain('<label for="client-redirect_uris">Adresy przekierowań (jeden w wierszu)</label>');
    expect(form.html).toContain('<option value="required">wymagany</option>');
    expect(form.html).not.toContain('Redirect URIs');

    const created = await browser.submit(form, '/admin/clients/new', {
      client_id: 'sklep', public: 'no', client_name: 'Sklep', redirect_uris: CALLBACK, scope: 'openid email', grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic', mfa: 'optional',
    });
    expect(heading(created.html)).toBe('Zarejestrowano: sklep');
    expect(created.html).toMatch(/Sekret aplikacji <strong>sklep<\/strong>, pokazany tylko teraz .*: <code id="client-secret">\S{32,}<\/code>/);

    const edit = await browser.get(`${server.url}/admin/clients/sklep/edit`);
    expect(heading(edit.html)).toBe('Aplikacja sklep');
    expect(edit.html).toContain('>Wymień sekret</button>');
    const saved = await browser.submit(edit, '/admin/clients/sklep/edit', { client_name: 'Sklep internetowy', redirect_uris: CALLBACK, grant_types: ['authorization_code'] });
    expect(saved.html).toContain('Zapisano.');
    expect((await server.services.clients.showClient('sklep'))?.client_name).toBe('Sklep internetowy');

    const list = await browser.get(`${server.url}/admin/clients`);
    expect(heading(list.html)).toBe('Aplikacje');
    expect(list.html).toMatch(/<tr data-client="sklep">.*<td>poufna<\/td>/);

    const asked = await browser.submit(edit, '/admin/clients/sklep/remove', {});
    expect(heading(asked.html)).toBe('Usunąć sklep?');
    expect(asked.html).toContain('>Tak, usuń aplikację</button>');
    expect(asked.html).toContain('>Anuluj</a>');
  });

  it('define a profile field with Polish choices, and register an API', async () => {
    const browser = await inPolish();
    const form = await browser.get(`${server.url}/admin/profile-fields/new`);
    expect(heading(form.html)).toBe('Zdefiniuj pole profilu');
    expect(form.html).toContain('<option value="single_choice">jeden wybór</option>');
    expect(form.html).toContain('<option value="fromVisit">od wizyty o numerze</option>');
    expect(form.html).toContain('<label for="field-priority">Priorytet (wyższy pierwszy');
    const defined = await browser.submit(form, '/admin/profile-fields/new', {
      key: 'shoe_size', type: 'number', label: 'en: Shoe size\npl: Rozmiar buta', purpose: 'account', scope: 'profile', ask: 'fromVisit', from_visit: '3', priority: '2', enabled: ['', 'yes'],
    });
    expect(defined.html).toContain('Zdefiniowano shoe_size.');
    expect(defined.html).toMatch(/<tr data-field="shoe_size">.*<td>liczba<\/td>.*<td>od wizyty nr 3<\/td>.*<td>włączone<\/td>/);
    expect((await server.services.profileFields.list()).find((f) => f.key === 'shoe_size')?.definition).toMatchObject({ type: 'number', ask: { fromVisit: 3 }, priority: 2 });
    const edit = await browser.get(`${server.url}/admin/profile-fields/shoe_size/edit`);
    expect(edit.html).toContain('Klucz <code>shoe_size</code>, typ liczba, oświadczenie <code>shoe_size</code>; żadne konto nie ma wartości.');

    const order = await browser.get(`${server.url}/admin/profile-fields/order`);
    expect(heading(order.html)).toBe('Kolejność pól profilu');
    const moved = await browser.submit(order, '/admin/profile-fields/order', { key: 'shoe_size', move: 'up' });
    expect(moved.html).toContain('Przesunięto shoe_size.');
    expect((await server.services.profileFields.list()).map((f) => f.key)).toEqual(['shoe_size', 'given_name']);

    // A choice field edited on the page keeps its choices' labels in the other languages (the page types English ones).
    const sizeForm = await browser.get(`${server.url}/admin/profile-fields/new`);
    await browser.submit(sizeForm, '/admin/profile-fields/new', {
      key: 'tshirt', type: 'single_choice', label: 'en: T-shirt size', purpose: 'account', scope: '', ask: 'never', priority: '0', options: 's: Small\nl: Large', enabled: ['', 'yes'],
    });
    await server.services.profileFields.change('tshirt', { options: [{ value: 's', label: { en: 'Small', pl: 'Mały' } }, { value: 'l', label: { en: 'Large', pl: 'Duży' } }] } as never);
    const sizeEdit = await browser.get(`${server.url}/admin/profile-fields/tshirt/edit`);
    expect((await browser.submit(sizeEdit, '/admin/profile-fields/tshirt/edit', { options: 's: Small\nm: Medium\nl: Big' })).html).toContain('Zapisano.');
    expect((await server.services.profileFields.list()).find((f) => f.key === 'tshirt')?.definition.options).toEqual([
      { value: 's', label: { en: 'Small', pl: 'Mały' } }, { value: 'm', label: { en: 'Medium' } }, { value: 'l', label: { en: 'Big', pl: 'Duży' } },
    ]);

    const resourceForm = await browser.get(`${server.url}/admin/resources/new`);
    expect(resourceForm.html).toContain('<label for="resource-scopes">Zakresy (oddzielone spacjami, np. read write)</label>');
    const registered = await browser.submit(resourceForm, '/admin/resources/save', { id: 'https://api.sklep.example', scopes: 'orders:read' });
    expect(registered.html).toContain('Zarejestrowano https://api.sklep.example.');
    expect(heading(registered.html)).toBe('Zasoby API');
    expect((await server.services.resources.listResources()).find((r) => r.id === 'https://api.sklep.example')?.scopes).toEqual(['orders:read']);
  });
});

describe('the set-up pages in Arabic', () => {
  it('show the signing keys right to left, their dates formatted by Intl in Arabic', async () => {
    const browser = await inArabic();
    const page = await browser.get(`${server.url}/admin/keys`);
    expect(htmlTag(page.html)).toBe('<html lang="ar" dir="rtl">');
    expect(heading(page.html)).toBe('مفاتيح التوقيع');
    expect(page.html).toContain('<td>يوقّع</td>');
    expect(page.html).toContain('>تدوير المفاتيح</button>');
    const [key] = await server.services.signingKeys.listKeys();
    const created = new Intl.DateTimeFormat('ar', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(key!.createdAt);
    expect(page.html).toContain(`<td>${created}</td>`);
    expect(page.html).not.toMatch(/<td>\d{4}-\d{2}-\d{2}/);
  });

  it('add a social-login connector and save a brand in Arabic', async () => {
    const browser = await inArabic();
    const list = await browser.get(`${server.url}/admin/connectors`);
    expect(heading(list.html)).toBe('تسجيل الدخول الاجتماعي');
    expect(list.html).toContain('<label for="new-connector-clientSecret">سرّ العميل (مختوم؛ لا يُعرض مرة أخرى أبدًا)</label>');
    const refused = await browser.submit(list, '/admin/connectors', { id: 'Not An Id', kind: 'oidc' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('<h2>في النموذج مشكلات؛ لم يُحفظ شيء</h2>');
    const added = await browser.submit(list, '/admin/connectors', { id: 'upstream', kind: 'oidc', name: 'Upstream', clientId: 'foyer', clientSecret: 'a-secret-of-the-upstream', issuer: 'https://login.upstream.example' });
    expect(new URL(added.url).pathname).toBe('/admin/connectors/upstream');
    expect(added.html).toContain('أُضيف الموصّل.');
    expect(added.html).toContain('المعرّف <strong>upstream</strong>، النوع <strong>oidc</strong>؛ مفعّل. سرّ العميل محفوظ: نعم.');
    expect(added.html).toContain('>استبدال السرّ</button>');

    const brands = await browser.get(`${server.url}/admin/brands`);
    expect(heading(brands.html)).toBe('العلامات التجارية');
    expect(brands.html).toContain('<h2>إضافة علامة</h2>');
    const brand = await browser.get(`${server.url}/admin/brands/default`);
    expect(brand.html).toContain('<label for="accent">لون التمييز (الأزرار والروابط)</label>');
    expect(brand.html).toContain('<option value="pl" lang="pl">Polski (pl)</option>');
    const saved = await browser.submit(brand, '/admin/brands/default', { name: 'Foyer', default_language: 'ar' });
    expect(saved.html).toContain('تم الحفظ.');
    expect((await server.services.brands.find('default')).defaultLanguage).toBe('ar');
  });
});
