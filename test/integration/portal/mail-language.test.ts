// Every mail in the customer's language: a mail answering the customer's own request speaks the language of
// that request (a sign-up in Polish mails its code in Polish); a mail an operator triggers speaks the
// customer's saved language, never the operator's. The text part is always there; English stays as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { newBrowser } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'mail-app', name: 'Mail app', scope: 'openid email profile' });
  ({ call } = await createAdminApi(server));
});
afterAll(async () => server?.stop());

describe('mail language', () => {
  it('mails the sign-up code in Polish when the sign-up happens in Polish', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'pl' });
    const start = await browser.get((await app.authorizationUrl()).url);
    const form = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(start.html)![1]!, start.url).href);
    await browser.submit(form, '/signup', { email: 'nowy@example.com', password, terms: 'yes' });
    const mail = await server.smtp.waitForMail('nowy@example.com');
    expect(mail.subject).toMatch(/^Twój kod .+: \d{6}$/);
    expect(mail.text).toContain('Użyj tego kodu, aby dokończyć tworzenie konta');
    expect(mail.text).toContain(codeFrom(mail));
    expect(mail.text).toMatch(/wygasa za \d+ minut/);
    expect(mail.html).toContain('Dzień dobry,');
  });

  it('keeps the English mail word for word when the reader asks for no language', async () => {
    const browser = newBrowser();
    const start = await browser.get((await app.authorizationUrl()).url);
    const form = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(start.html)![1]!, start.url).href);
    await browser.submit(form, '/signup', { email: 'newcomer@example.com', password, terms: 'yes' });
    const mail = await server.smtp.waitForMail('newcomer@example.com');
    expect(mail.subject).toMatch(/^Your .+ code: \d{6}$/);
    const text = mail.text.replace(/\r\n/g, '\n').trim();
    expect(text).toMatch(/^Hello,\n\nUse this code to finish creating your .+ account:\n\n\d{6}\n\nIt works once and expires in \d+ minutes\. If you did not ask for it, ignore this email\.$/);
  });

  it('writes an operator’s mails in the customer’s saved language, not the operator’s', async () => {
    const id = await createPasswordAccount(server, 'ahmad@example.com', password);
    await server.services.profile.saveLocale(id, 'ar');
    // The operator's own browser asks for German: that is not the customer's language.
    expect((await call(`/customers/${id}/send-password-reset`, { method: 'POST', headers: { 'accept-language': 'de' } } as never)).status).toBe(200);
    const invite = await server.smtp.waitForMail('ahmad@example.com');
    expect(invite.subject).toContain('اختر كلمة مرور جديدة');
    expect(invite.text).toContain('مرحبًا،');
    expect(invite.text).toContain('/account');
    expect(invite.html).toContain('يطلب منك مسؤول');

    const other = await createPasswordAccount(server, 'nosaved@example.com', password);
    expect((await call(`/customers/${other}/send-password-reset`, { method: 'POST', headers: { 'accept-language': 'de' } } as never)).status).toBe(200);
    expect((await server.smtp.waitForMail('nosaved@example.com')).subject).toMatch(/^Choose a new password/);
  });

  it('mails an erasure an operator asked for in the saved language, with the date written that way', async () => {
    const id = await createPasswordAccount(server, 'erika@example.com', password);
    await server.services.profile.saveLocale(id, 'de');
    expect((await call(`/customers/${id}/erase`, { method: 'POST' })).status).toBeLessThan(300);
    const mail = await server.smtp.waitForMail('erika@example.com');
    expect(mail.subject).toMatch(/^Ihr .+-Konto wird am \d{1,2}\. \S+ \d{4} gelöscht$/);
    expect(mail.text).toContain('Mein Konto behalten');
  });
});
