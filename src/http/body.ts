// Owns reading request bodies at the edge: size limit, strict UTF-8, no NUL characters (PostgreSQL
// text cannot hold them). Our forms get a parsed object; oidc-provider gets the checked raw text.
import type { Context, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';

const FORM_LIMIT = 56 * 1024; // oidc-provider's own limit

async function readRaw(ctx: Context, limit: number): Promise<string> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) throw new AppError('request.too_large', 'The request is too large.', 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('request.too_large', 'The request is too large.', 413);
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('request.invalid_encoding', 'The request is not valid UTF-8 text.', 400);
  }
}

/** Percent-escapes must decode to valid UTF-8 and never to NUL. */
function assertCleanEncoded(encoded: string): void {
  for (const part of encoded.split(/[&=]/)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new AppError('request.invalid_encoding', 'The request contains characters that are not valid UTF-8.', 400);
    }
    if (decoded.includes('\0')) throw new AppError('request.nul_character', 'The request must not contain NUL characters.', 400);
    if (!decoded.isWellFormed()) throw new AppError('request.invalid_encoding', 'The request contains characters that are not valid UTF-8.', 400);
  }
}

/** Checks every request's query string and, for urlencoded or JSON bodies, the body. */
export async function checkInput(ctx: Context, next: Next): Promise<void> {
  if (ctx.querystring) assertCleanEncoded(ctx.querystring);
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && (ctx.is('application/x-www-form-urlencoded') || ctx.is('application/json'))) {
    const raw = await readRaw(ctx, FORM_LIMIT);
    if (ctx.is('application/json')) {
      if (raw.includes('\0') || /\\u0000/i.test(raw)) throw new AppError('request.nul_character', 'The request must not contain NUL characters.', 400);
    } else {
      if (raw.includes('\0')) throw new AppError('request.nul_character', 'The request must not contain NUL characters.', 400);
      assertCleanEncoded(raw);
    }
    // The stream is consumed now: our routes read this text, and oidc-provider a fresh stream of it (checked-request.ts).
    ctx.state.rawBody = raw;
  }
  await next();
}

/** The fields of a checked urlencoded form post. */
export function formFields(ctx: Context): URLSearchParams {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError('request.unsupported_type', 'Send this form as application/x-www-form-urlencoded.', 415);
  return new URLSearchParams(typeof ctx.state.rawBody === 'string' ? ctx.state.rawBody : '');
}
