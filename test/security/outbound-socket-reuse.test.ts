// A kept-alive socket must not carry a request past the outbound policy. node's global agent
// pools sockets by host and port, not by policy: a socket one source opened under a wider policy
// (an operator endpoint allowed for that source only) was reused by another source's request,
// whose lookup and `connect` check then never ran, so the refused address was reached anyway.
// Each reuse also added a `connect` listener that never fired (MaxListenersExceededWarning).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOUND_POLICY, outboundPolicy } from '../../orchestrator/net/address-policy.js';
import { policyFetch } from '../../orchestrator/net/policy-fetch.js';
import { AddressRefusedError } from '../../orchestrator/net/safe-lookup.js';

let server: Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  // Keeps connections alive (node's default), as an internal hub or blob endpoint would.
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('internal');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('pooled sockets and the outbound policy', () => {
  it('refuses a request under a stricter policy on a socket a wider policy opened', async () => {
    // "localhost" is allowed for one source (its operator endpoint), not for the other.
    const wide = policyFetch(outboundPolicy(['localhost']));
    const strict = policyFetch(DEFAULT_OUTBOUND_POLICY);
    const first = await wide(`http://localhost:${port}/allowed`);
    expect(await first.text()).toBe('internal');
    // The first socket is back in the pool now; a request under the default policy must not use it.
    const err = await strict(`http://localhost:${port}/metrics`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(seen).toEqual(['/allowed']);
  });

  it('reuses a pooled socket under the same policy without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const wide = policyFetch(outboundPolicy(['localhost']));
      for (let i = 0; i < 15; i++) expect(await (await wide(`http://localhost:${port}/again`)).text()).toBe('internal');
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    expect(seen.filter((u) => u === '/again')).toHaveLength(15);
  });
});
