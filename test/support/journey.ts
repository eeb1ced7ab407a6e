// Steps of the hosted journey, driven through the real HTTP surface.
import { expect } from 'vitest';
import { CALLBACK } from './relying-party.ts';
import { FormBrowser, type Page } from './form-browser.ts';
import { codeFrom } from './smtp-capture.ts';
import type { TestServer } from './test-server.ts';

export const newBrowser = () => new FormBrowser((url) => url.startsWith(CALLBACK) || url.startsWith('http://127.0.0.1:9/'));

/** From the first page: create an account, verify the mailed code; returns the page after (consent or callback). */
export async function signUp(server: TestServer, browser: FormBrowser, start: Page, email: string, password: string): Promise<Page> {
  const form = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(start.html)![1]!, start.url).href);
  const sent = await browser.submit(form, '/signup', { email, password, terms: 'yes' });
  expect(sent.html).toContain('Check your email');
  const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('code'));
  return browser.submit(sent, '/signup/verify', { code: codeFrom(mail) });
}

export async function enterEmailAndPassword(browser: FormBrowser, start: Page, email: string, password: string): Promise<Page> {
  const passwordPage = await browser.submit(start, '/identify', { email });
  expect(passwordPage.html).toContain('name="password"');
  return browser.submit(passwordPage, '/password', { password });
}

/** Allows everything asked on a consent page (or passes a non-consent page through). */
export async function consentIfAsked(browser: FormBrowser, page: Page, scopes?: string[]): Promise<Page> {
  if (!page.url.includes('/interaction/') || !page.html.includes('/consent"')) return page;
  const offered = [...page.html.matchAll(/name="scope" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]!);
  return browser.submit(page, '/consent', { scope: scopes ?? offered });
}

/** Passes the terms page (accepting) and the consent page (allowing everything), where they are asked. */
export async function throughPrompts(browser: FormBrowser, page: Page): Promise<Page> {
  if (page.url.includes('/interaction/') && page.html.includes('/terms"')) page = await browser.submit(page, '/terms', { accept: 'yes' });
  return consentIfAsked(browser, page);
}
