// A real back-channel logout receiver on loopback: an app's backchannel_logout_uri that keeps every
// logout_token Foyer posts to it, for tests that check who was logged out.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LogoutReceiver {
  /** The URL to register as the app's backchannel_logout_uri. */
  url: string;
  /** The logout tokens received so far, oldest first. */
  tokens: string[];
  close(): Promise<void>;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) tokens.push(token);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel`,
    tokens,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
