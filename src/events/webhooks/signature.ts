// Owns signing a webhook message the Standard Webhooks way (standardwebhooks.com): the headers webhook-id,
// webhook-timestamp and webhook-signature = "v1," + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")),
// where the key is the base64 after "whsec_". Any Standard Webhooks library verifies it.
import { createHmac } from 'node:crypto';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signWebhook(secret: string, messageId: string, body: string, at: Date = new Date()): SignedHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}
