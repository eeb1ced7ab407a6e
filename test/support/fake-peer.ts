// A GET as if from another machine: a router's answer to a request whose socket has `remoteAddress`, through
// the real router (a peer's address cannot be faked over TCP).
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type Router from '@koa/router';
import Koa from 'koa';

export async function routerStatusFrom(router: Router, remoteAddress: string, url: string, headers: Record<string, string> = {}): Promise<number> {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
  const req = new IncomingMessage(socket);
  Object.assign(req, { method: 'GET', url, headers });
  const ctx = new Koa().createContext(req, new ServerResponse(req));
  ctx.res.statusCode = 404; // as koa starts every request: nothing answered yet
  await router.routes()(ctx as never, async () => undefined);
  return ctx.status;
}
