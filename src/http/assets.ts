// Owns the static files under views/assets (plus browser libraries from node_modules), read once at start
// and served with a content hash ETag.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

const assetsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../views/assets');
// Browser libraries served from their installed npm package, so the copy always matches its version.
const vendorFiles: Record<string, string> = {
  'simplewebauthn-browser.js': resolve(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'),
};
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

export function serveAssets() {
  const sources: [string, string][] = [...readdirSync(assetsDir).map((name): [string, string] => [name, join(assetsDir, name)]), ...Object.entries(vendorFiles)];
  const files = new Map(sources.map(([name, path]) => {
    const body = readFileSync(path);
    return [`/assets/${name}`, { body, type: TYPES[extname(name)] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }];
  }));
  return async (ctx: Context, next: Next): Promise<void> => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined;
    if (!file) return next();
    ctx.state.metricsRoute = '/assets/*';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', file.etag);
    if (ctx.get('If-None-Match') === file.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
