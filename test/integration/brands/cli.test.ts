// `foyer brands list` and `foyer brands assign BRAND CLIENT_ID`: an app is put in a brand from the command line
// (its journey then shows the brand), and back into the default brand; unknown brands or apps fail with a message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { newBrowser } from '../../support/journey.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let shop: RelyingParty;
const cli = (...argv: string[]) => runCommand(argv, { services: server.services });

beforeAll(async () => {
  server = await startTestServer();
  shop = await createRelyingParty(server, { clientId: 'shop' });
  await server.services.brands.save('acme', { name: 'Acme' });
});
afterAll(async () => server?.stop());

describe('foyer brands', () => {
  it('assigns an app to a brand and back, and lists who is where', async () => {
    expect((await cli('brands', 'assign', 'acme', 'shop')).exitCode).toBe(0);
    expect(JSON.parse((await cli('brands', 'list', '--json')).stdout)).toEqual([
      { id: 'acme', name: 'Acme', clients: ['shop'] }, { id: 'default', name: 'Foyer', clients: [] },
    ]);
    expect((await newBrowser().get((await shop.authorizationUrl()).url)).html).toContain('· Acme</title>');
    expect((await cli('brands', 'assign', 'default', 'shop')).exitCode).toBe(0);
    expect((await newBrowser().get((await shop.authorizationUrl()).url)).html).toContain('· Foyer</title>');
  });

  it('fails with a message for an unknown brand or app', async () => {
    const noBrand = await cli('brands', 'assign', 'nope', 'shop');
    expect(noBrand.exitCode).toBe(1);
    expect(noBrand.stderr).toBe('foyer: There is no such brand.\n');
    expect((await cli('brands', 'assign', 'acme', 'ghost')).stderr).toBe('foyer: no client ghost\n');
  });
});
