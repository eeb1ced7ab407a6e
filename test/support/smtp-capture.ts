// A real SMTP server on loopback that keeps every message, for tests that read mailed codes.
import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Header name (lower case) → value. */
  headers: Record<string, string>;
}

export interface SmtpCapture {
  url: string;
  mails: CapturedMail[];
  waitForMail(to: string, predicate?: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks)).then((email) => {
          mails.push({
            to: (email.to ?? []).map((a) => ('address' in a ? String(a.address) : '').toLowerCase()),
            subject: email.subject ?? '',
            text: email.text ?? '',
            html: email.html ?? '',
            headers: Object.fromEntries(email.headers.map((h) => [h.key.toLowerCase(), h.value])),
          });
          for (const wake of waiters) wake();
          callback();
        }, (error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitForMail(to, predicate = () => true, timeoutMs = 10_000) {
      const find = () => mails.find((m) => m.to.includes(to.toLowerCase()) && predicate(m));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 200);
        });
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function codeFrom(mail: CapturedMail): string {
  const match = /\b(\d{6})\b/.exec(mail.text);
  if (!match) throw new Error(`no 6-digit code in mail "${mail.subject}"`);
  return match[1]!;
}
