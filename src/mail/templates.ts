// Owns the mail templates in views/mail: each has a subject line, a text part (codes and links appear as
// they are) and an HTML part, all in one language: `{{t}}` reads `language` from the data (see mailer.ts).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { registerI18nHelpers } from '../i18n/handlebars.ts';

export type MailTemplate = 'signup-code' | 'signup-existing' | 'reset-code' | 'signin-code' | 'new-sign-in' | 'mfa-code' | 'mfa-enrol-code' | 'mfa-enrolled' | 'federation-email-code'
  | 'email-change-code' | 'email-change-taken' | 'email-changed' | 'account-sign-in-link' | 'preference-confirm' | 'preference-subscribed' | 'capture-confirm' | 'federation-link-code' | 'erasure-requested'
  | 'mfa-reset' | 'password-reset-invite';

const mailDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../views/mail');
const hbs = Handlebars.create();
registerI18nHelpers(hbs);
const compiled = new Map<string, { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate }>();

function load(template: MailTemplate) {
  let entry = compiled.get(template);
  if (!entry) {
    const text = readFileSync(join(mailDir, `${template}.text.hbs`), 'utf8');
    const [subjectLine, ...body] = text.split('\n');
    entry = {
      subject: hbs.compile(subjectLine!.replace(/^Subject:\s*/, ''), { noEscape: true }),
      text: hbs.compile(body.join('\n').trimStart(), { noEscape: true }),
      html: hbs.compile(readFileSync(join(mailDir, `${template}.html.hbs`), 'utf8')),
    };
    compiled.set(template, entry);
  }
  return entry;
}

export function renderMail(template: MailTemplate, data: Record<string, unknown>) {
  const t = load(template);
  return { subject: t.subject(data), text: t.text(data), html: t.html(data) };
}
