// A webhook delivery must not ride a kept-alive socket past the outbound policy: node's global agent
// pools sockets by host and port, not by policy, so a socket another client opened under a wider
// policy (an operator endpoint allowed for one source) came back to postWebhook, whose lookup and
// `connect` check then never ran, and the POST reached an internal address.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOUND_POLICY, outboundPolicy } from '../../orchestrator/net/address-policy.js';
import { httpGet } from '../../orchestrator/storage/util/http-get.js';
import { postWebhook } from '../../orchestrator/webhooks/post-webhook.js';

let server: Server;
let port = 0;
const seen: string[] = [];

beforeEach(async () => {
  seen.length = 0;
  server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('internal');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('postWebhook, pooled sockets and the outbound policy', () => {
  it('refuses a delivery on a socket a wider policy opened, and the server never sees it', async () => {
    const res = await httpGet(`http://localhost:${port}/allowed`, {}, new AbortController().signal, {
      policy: outboundPolicy(['localhost']),
    });
    for await (const _ of res.body) void _;
    // The socket is back in the pool; a callback under the default policy must not use it.
    const out = await postWebhook(
      DEFAULT_OUTBOUND_POLICY,
      `http://localhost:${port}/internal-admin`,
      { 'content-type': 'application/json' },
      '{}',
      5000,
    );
    expect(out.kind).toBe('refused');
    expect(seen).toEqual(['GET /allowed']);
  });

  it('still delivers under a policy that allows the host (new and reused sockets)', async () => {
    const allow = outboundPolicy(['localhost']);
    for (let i = 0; i < 3; i++) {
      const out = await postWebhook(allow, `http://localhost:${port}/hook`, {}, '{}', 5000);
      expect(out).toEqual({ kind: 'answered', status: 200 });
    }
    expect(seen).toEqual(['POST /hook', 'POST /hook', 'POST /hook']);
  });
});
