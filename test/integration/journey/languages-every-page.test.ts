// Every page of the sign-in journey in the reader's language: with ui_locales=ar each page is right to
// left and has no English word left in its main content (names the reader typed or an app chose, codes and
// product names aside); Accept-Language: pl gives Polish; a schema's message comes in the reader's language.
import * as oidc from 'openid-client';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { startServerWithClubRules } from '../../support/documents.ts';
import { newBrowser } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
let bank: RelyingParty;
let club: RelyingParty;
const email = 'layla@example.com';
const password = 'a quiet lantern by the northern gate';

beforeAll(async () => {
  ({ server, club } = await startServerWithClubRules());
  bank = await createRelyingParty(server, { clientId: 'bank', name: 'Bank', mfa: 'required', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];
const h1 = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

/** The words of <main> a person reads: tags, scripts, addresses and codes taken out, entities decoded. */
function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';
  return main.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<code[^>]*>[\s\S]*?<\/code>/g, ' ')
    .replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, '\'').replace(/&quot;|&#x3D;|&amp;|&lt;|&gt;|&#x60;/g, ' ')
    .replace(/\S+@\S+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Latin words left in the main content, apart from names the page is allowed to show as they are. */
function englishWords(html: string, allowed: string[] = []): string[] {
  const ok = new Set(['Bank', 'Club', 'Terms', 'of', 'service', 'rules', 'QR', 'PIN', 'Google', 'Microsoft', 'Authenticator', 'Password', 'Aegis', ...allowed]);
  return [...mainText(html).matchAll(/[A-Za-z]{2,}/g)].map((m) => m[0]).filter((w) => !ok.has(w));
}

function expectArabic(page: Page, heading: string, allowed: string[] = []) {
  expect(htmlTag(page.html), page.url).toBe('<html lang="ar" dir="rtl">');
  expect(h1(page.html), page.url).toBe(heading);
  expect(englishWords(page.html, allowed), `${page.url}\n${mainText(page.html)}`).toEqual([]);
}

const totpCode = (secret: string, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
const manualKey = (page: Page) => /<code id="manual-key" class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.html)![1]!.replace(/ /g, '');
let secret = '';

async function start(rp: RelyingParty, browser: FormBrowser, params: Record<string, string> = { ui_locales: 'ar' }) {
  const auth = await rp.authorizationUrl(params);
  return { auth, page: await browser.get(auth.url) };
}

describe('every journey page in Arabic (ui_locales=ar)', () => {
  it('sign-up: identify, sign-up form, email code, two-step set-up, recovery codes, consent; errors in Arabic too', async () => {
    const browser = newBrowser();
    const { page: identify } = await start(bank, browser);
    expectArabic(identify, 'تسجيل الدخول');

    // A schema's message (zod) in the reader's language.
    const refused = await browser.submit(identify, '/identify', { email: 'not an address' });
    expect(refused.status).toBe(400);
    expectArabic(refused, 'تسجيل الدخول');
    expect(refused.html).toContain('أدخل عنوان بريد إلكتروني صالحًا');

    const signup = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(identify.html)![1]!, identify.url).href);
    expectArabic(signup, 'أنشئ حسابك');
    const weak = await browser.submit(signup, '/signup', { email, password: 'short' });
    expect(weak.status).toBe(400);
    expectArabic(weak, 'أنشئ حسابك');
    expect(weak.html).toContain('على الأقل');
    expect(weak.html).toContain('يُرجى الموافقة على الشروط لإنشاء حساب.');

    const verify = await browser.submit(signup, '/signup', { email, password, terms: 'yes' });
    expectArabic(verify, 'تحقّق من بريدك الإلكتروني');
    const badCode = await browser.submit(verify, '/signup/verify', { code: '12' });
    expectArabic(badCode, 'تحقّق من بريدك الإلكتروني');
    expect(badCode.html).toContain('أدخل الرمز المكوّن من 6 أرقام');
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('code') || /\d{6}/.test(m.text));

    const setup = await browser.submit(verify, '/signup/verify', { code: codeFrom(mail) });
    expect(setup.url).toMatch(/\/mfa$/);
    expectArabic(setup, 'إعداد التحقق بخطوتين');
    secret = manualKey(setup);
    const wrong = await browser.submit(setup, '/mfa/setup', { code: '000000' === totpCode(secret) ? '111111' : '000000' });
    expectArabic(wrong, 'إعداد التحقق بخطوتين');
    expect(wrong.html).toContain('هذا الرمز غير صحيح');

    const codes = await browser.submit(wrong, '/mfa/setup', { code: totpCode(secret) });
    expectArabic(codes, 'احفظ رموز الاسترداد');
    const consent = await browser.submit(codes, '/mfa/continue', {});
    if (consent.url.startsWith(CALLBACK)) return;
    expectArabic(consent, 'يريد Bank الوصول إلى حسابك');
    expect(consent.html).toContain('عنوان بريدك الإلكتروني');
  });

  it('sign-in: password (and its error), second step, terms, consent', async () => {
    const browser = newBrowser();
    const { page: identify } = await start(club, browser);
    const passwordPage = await browser.submit(identify, '/identify', { email });
    expectArabic(passwordPage, 'أدخل كلمة المرور');
    const wrong = await browser.submit(passwordPage, '/password', { password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expectArabic(wrong, 'أدخل كلمة المرور');
    expect(wrong.html).toContain('البريد الإلكتروني أو كلمة المرور غير صحيحة.');

    let page = await browser.submit(wrong, '/password', { password });
    const seen: string[] = [];
    for (let step = 0; step < 5 && page.url.includes('/interaction/'); step++) {
      if (page.url.endsWith('/mfa')) {
        expectArabic(page, 'التحقق بخطوتين');
        expect(page.html).toContain('تذكّر هذا الجهاز لمدة 30 يومًا');
        seen.push('mfa');
        page = await browser.submit(page, '/mfa/totp', { code: totpCode(secret, 1) });
      } else if (page.html.includes('/terms"')) {
        expectArabic(page, 'يُرجى الموافقة على شروطنا');
        expect(page.html).toContain('(الإصدار 1)');
        const refused = await browser.submit(page, '/terms', {});
        expectArabic(refused, 'يُرجى الموافقة على شروطنا');
        expect(refused.html).toContain('يُرجى الموافقة على الشروط للمتابعة.');
        seen.push('terms');
        page = await browser.submit(refused, '/terms', { accept: 'yes' });
      } else if (page.html.includes('/consent"')) {
        expectArabic(page, 'يريد Club الوصول إلى حسابك');
        seen.push('consent');
        page = await browser.submit(page, '/consent', { scope: ['openid', 'email', 'profile'] });
      } else {
        throw new Error(`unexpected page ${page.url}`);
      }
    }
    expect(seen).toEqual(expect.arrayContaining(['terms', 'consent']));
    expect(page.url.startsWith(CALLBACK)).toBe(true);
  });

  it('email code, forgot password and reset', async () => {
    const browser = newBrowser();
    const { page: identify } = await start(club, browser);
    const passwordPage = await browser.submit(identify, '/identify', { email });
    const emailCode = await browser.submit(passwordPage, '/email-code/send', {});
    expectArabic(emailCode, 'تحقّق من بريدك الإلكتروني');
    const badCode = await browser.submit(emailCode, '/email-code/verify', { code: 'abc' });
    expectArabic(badCode, 'تحقّق من بريدك الإلكتروني');

    const forgot = await browser.get(new URL(/href="([^"]*\/forgot)"/.exec(passwordPage.html)![1]!, passwordPage.url).href);
    expectArabic(forgot, 'إعادة تعيين كلمة المرور');
    const reset = await browser.submit(forgot, '/forgot', { email });
    expectArabic(reset, 'تحقّق من بريدك الإلكتروني');
    const weak = await browser.submit(reset, '/reset', { code: '123456', new_password: 'x' });
    expectArabic(weak, 'تحقّق من بريدك الإلكتروني');
  });

  it('sign-out: the confirmation and the signed-out page', async () => {
    const browser = newBrowser();
    const { auth, page: identify } = await start(club, browser);
    // A second account, without a second step, signs up and in.
    const signup = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(identify.html)![1]!, identify.url).href);
    const verify = await browser.submit(signup, '/signup', { email: 'omar@example.com', password, terms: 'yes' });
    const mail = await server.smtp.waitForMail('omar@example.com', (m) => /\d{6}/.test(m.text));
    let page = await browser.submit(verify, '/signup/verify', { code: codeFrom(mail) });
    if (page.html.includes('/terms"')) page = await browser.submit(page, '/terms', { accept: 'yes' });
    if (page.html.includes('/consent"')) page = await browser.submit(page, '/consent', { scope: ['openid', 'email', 'profile'] });
    expect(page.url.startsWith(CALLBACK), page.html.slice(0, 300)).toBe(true);
    const tokens = await club.exchange(page.url, auth);
    const confirm = await browser.get(oidc.buildEndSessionUrl(club.config, { id_token_hint: tokens.id_token!, ui_locales: 'ar' }).href);
    expectArabic(confirm, 'تسجيل الخروج', ['Foyer']);
    expect(confirm.html).toContain('هل تريد تسجيل الخروج من');
    // The signed-out page is a new request that carries no ui_locales: it follows the browser's languages.
    browser.headers = () => ({ 'accept-language': 'ar' });
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expectArabic(done, 'لقد سجّلت الخروج');
  });
});

describe('Accept-Language: pl', () => {
  it('sign-in, sign-up and password reset pages are Polish', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'pl-PL,pl;q=0.9,en;q=0.5' });
    const { page: identify } = await start(club, browser, {});
    expect(htmlTag(identify.html)).toBe('<html lang="pl" dir="ltr">');
    const passwordPage = await browser.submit(identify, '/identify', { email });
    expect(h1(passwordPage.html)).toBe('Wpisz hasło');
    expect(passwordPage.html).toContain('Nie pamiętasz hasła?');
    const signup = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(identify.html)![1]!, identify.url).href);
    expect(h1(signup.html)).toBe('Załóż konto');
    expect(signup.html).toContain('Akceptuję warunki korzystania z usługi i politykę prywatności');
    const refused = await browser.submit(signup, '/signup', { email: 'nobody', password, terms: 'yes' });
    expect(refused.html).toContain('Wpisz prawidłowy adres e-mail');
    const forgot = await browser.get(new URL(/href="([^"]*\/forgot)"/.exec(passwordPage.html)![1]!, passwordPage.url).href);
    expect(h1(forgot.html)).toBe('Zresetuj hasło');
  });
});

describe('pages outside a sign-in follow Accept-Language', () => {
  const get = async (path: string, language: string) => {
    const res = await fetch(new URL(path, server.url), { headers: { accept: 'text/html', 'accept-language': language } });
    return { status: res.status, url: res.url, html: await res.text(), headers: res.headers };
  };

  it('the privacy page, a dead unsubscribe link, the device page and a missing page in Arabic', async () => {
    const privacy = await get('/privacy', 'ar');
    expect(htmlTag(privacy.html)).toBe('<html lang="ar" dir="rtl">');
    expect(privacy.html).toContain('الأساس القانوني');
    expect(privacy.html).toContain('أدِر اختياراتك من حسابك');
    const gone = await get(`/preferences/unsubscribe/${'x'.repeat(40)}`, 'ar');
    expect(gone.status).toBe(410);
    expectArabic(gone, 'هذا الرابط لم يعد يعمل');
    const device = await get('/device', 'ar');
    expectArabic(device, 'ربط جهاز');
    const missing = await get('/no-such-page', 'ar');
    expectArabic(missing, 'الصفحة غير موجودة');
  });

  it('the unsubscribe page in Polish', async () => {
    const gone = await get(`/preferences/unsubscribe/${'x'.repeat(40)}`, 'pl');
    expect(h1(gone.html)).toBe('Ten link już nie działa');
    expect(gone.html).toContain('Twoje preferencje');
  });
});
