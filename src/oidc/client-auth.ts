// Lets a confidential client authenticate with client_secret_post as well as client_secret_basic.
// oidc-provider enforces one registered method per client; Foyer registers client_secret_basic and, at the
// edge, moves a secret sent in the body into the equivalent Basic header (RFC 6749 §2.3.1 encoding).
import type { Context } from 'koa';

export function acceptSecretInBody(ctx: Context): void {
  const raw = ctx.state.rawBody;
  if (ctx.method !== 'POST' || typeof raw !== 'string' || ctx.get('authorization') || !ctx.is('application/x-www-form-urlencoded')) return;
  const params = new URLSearchParams(raw);
  const clientId = params.get('client_id');
  const secret = params.get('client_secret');
  if (!clientId || secret === null || params.getAll('client_secret').length !== 1) return;
  params.delete('client_secret');
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  ctx.req.headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
  (ctx.req as { body?: string }).body = params.toString();
}
