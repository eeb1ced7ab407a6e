// oidc-provider parses a body itself only from a readable stream (otherwise it falls back to req.body and warns
// once per process, which a test sharing its worker with other files may not see): the copy handed to it must be
// readable and carry exactly the checked text, its length declared to match.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { requestWithBody } from '../../../src/http/checked-request.ts';

describe('requestWithBody', () => {
  it('gives a readable request whose body is the checked text and whose length matches it', async () => {
    const original = new IncomingMessage(new Socket());
    original.method = 'POST';
    original.url = '/token';
    original.headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '99', 'transfer-encoding': 'chunked' };
    const body = 'grant_type=client_credentials&scope=caf%C3%A9&name=café';
    const copy = requestWithBody(original, body);
    expect(copy.readable).toBe(true);
    expect(copy.method).toBe('POST');
    expect(copy.url).toBe('/token');
    expect(copy.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(copy.headers['transfer-encoding']).toBeUndefined();
    const chunks: Buffer[] = [];
    for await (const chunk of copy) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(body);
  });
});
