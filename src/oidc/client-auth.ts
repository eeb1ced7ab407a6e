// Lets a confidential client authenticate with client_secret_post as well as client_secret_basic.
// oidc-provider enforces one registered method per client; Foyer registers client_secret_basic and, at the
// edge, moves a secret sent in the body into the equivalent Basic header (RFC 6749 §2.3.1 encoding).
import type { Context } from 'koa';

/** The checked body oidc-provider should read (undefined when none was read), less a secret moved into the header. */
export function acceptSecretInBody(ctx: Context): string | undefined {
  const raw: unknown = ctx.state.rawBody;
  if (typeof raw !== 'string') return undefined;
  if (ctx.method !== 'POST' || ctx.get('authorization') || !ctx.is('application/x-www-form-urlencoded')) return raw;
  const params = new URLSearchParams(raw);
  const clientId = params.get('client_id');
  const secret = params.get('client_secret');
  if (!clientId || secret === null || params.getAll('client_secret').length !== 1) return raw;
  params.delete('client_secret');
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  ctx.req.headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
  return params.toString();
}
