// Owns sending mail: SMTP through nodemailer when SMTP_URL is set, else the dev outbox (loopback issuer,
// not production). The log records that a mail went out, never its body, code or link.
import nodemailer from 'nodemailer';
import type { Logger } from '../log.ts';
import type { Db } from '../db/create-db.ts';
import { randomToken } from '../security/tokens.ts';
import type { Language } from '../i18n/languages.ts';
import { currentLanguage } from '../i18n/request-language.ts';
import { renderMail, type MailTemplate } from './templates.ts';
import { framedHtml, type MailBrand } from './brand-frame.ts';

/** Extra headers of one mail (e.g. RFC 8058's List-Unsubscribe and List-Unsubscribe-Post). */
export interface MailOptions {
  headers?: Record<string, string>;
  /**
   * The language the mail is written in. Left out, it is the language of the request being answered (the
   * customer's own request: the page they read); a mail that answers someone else's request (an operator's)
   * names the customer's saved language (see languageOfRecipient in src/i18n/negotiate.ts).
   */
  language?: Language;
}

export interface MailSender {
  send(to: string, template: MailTemplate, data: Record<string, unknown>, options?: MailOptions): Promise<void>;
  /** Sends without making the caller wait, so a response takes as long whether or not a mail goes out. */
  sendInBackground(to: string, template: MailTemplate, data: Record<string, unknown>, options?: MailOptions): void;
}

export interface MailerOptions {
  smtpUrl?: string | undefined;
  from: string;
  brandName: string;
  /** Keep mails in the dev_outbox table (shown at /dev/outbox) when there is no SMTP server. */
  devOutbox: boolean;
  /** The brand a mail goes out in (the brand of the page that sends it), if any. */
  brandOf?: () => MailBrand | undefined;
}

export function createMailer(db: Db, options: MailerOptions, log: Logger): MailSender {
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  const sender: MailSender = {
    sendInBackground(to, template, data, mailOptions) {
      sender.send(to, template, data, mailOptions).catch((error: unknown) => log.error({ template, err: error }, 'mail failed'));
    },
    async send(to, template, data, mailOptions = {}) {
      const brand = options.brandOf?.();
      // The language is fixed here, when the mail is composed: it is rendered at once, and only its words travel on.
      const mail = renderMail(template, { ...data, brandName: brand?.name ?? options.brandName, language: mailOptions.language ?? currentLanguage() });
      mail.html = framedHtml(mail.html, brand);
      if (transport) {
        await transport.sendMail({ from: brand?.from ?? options.from, to, subject: mail.subject, text: mail.text, html: mail.html, ...(mailOptions.headers ? { headers: mailOptions.headers } : {}) });
      } else if (options.devOutbox) {
        await db('dev_outbox').insert({ id: `mail_${randomToken(12)}`, recipient: to, subject: mail.subject, text_body: mail.text, html_body: mail.html });
      } else {
        log.error({ template }, 'mail not sent: no SMTP_URL configured');
        return;
      }
      log.info({ template }, 'mail sent');
    },
  };
  return sender;
}

export function createDevOutboxQueries(db: Db) {
  return {
    listDevMails: (limit: number) => db('dev_outbox').orderBy('created_at', 'desc').limit(limit)
      .select('id', 'recipient', 'subject', 'text_body', 'created_at') as Promise<{ id: string; recipient: string; subject: string; text_body: string; created_at: Date }[]>,
  };
}
