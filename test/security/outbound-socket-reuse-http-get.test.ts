// A kept-alive socket must not carry an httpGet request past the outbound policy. node's global
// agent pools sockets by host and port, not by policy, and httpGet (Azure List Blobs) shares that
// pool with policyFetch (HF, S3, remote URLs): a socket opened under a wider policy (an operator
// endpoint allowed for one source only) was reused by a request under a stricter one, whose lookup
// and `connect` check then never ran, so the refused address was reached anyway. Each reuse also
// added a `connect` listener that never fired.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOUND_POLICY, outboundPolicy } from '../../orchestrator/net/address-policy.js';
import { policyFetch } from '../../orchestrator/net/policy-fetch.js';
import { AddressRefusedError } from '../../orchestrator/net/safe-lookup.js';
import { httpGet } from '../../orchestrator/storage/util/http-get.js';
import { warningsDuring } from './process-warnings.js';

let server: Server;
let port = 0;
const seen: string[] = [];
/** Connections the server accepted, so a test can tell a reuse from a new socket. */
let connections = 0;

// A fresh server (so a fresh pool key, localhost:<port>) for each test: no socket another test
// left in the pool can change what this one sees.
beforeEach(async () => {
  seen.length = 0;
  connections = 0;
  // Keeps connections alive (node's default), as an internal blob endpoint would.
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('internal');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const wide = outboundPolicy(['localhost']);
const signal = (): AbortSignal => new AbortController().signal;

async function getText(url: string, policy: typeof wide): Promise<string> {
  const res = await httpGet(url, {}, signal(), { policy });
  let s = '';
  for await (const c of res.body) s += (c as Buffer).toString('utf8');
  return s;
}

async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('httpGet, pooled sockets and the outbound policy', () => {
  it('refuses a request under a stricter policy on a socket a wider policy opened', async () => {
    // "localhost" is allowed for one source (its operator endpoint), not for the other.
    expect(await getText(`http://localhost:${port}/allowed`, wide)).toBe('internal');
    // The first socket is back in the pool now; a request under the default policy must not use it.
    const err = await refusal(httpGet(`http://localhost:${port}/metrics`, {}, signal(), {}));
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(seen).toEqual(['/allowed']);
  });

  it('refuses an httpGet on a socket policyFetch opened under a wider policy', async () => {
    expect(await (await policyFetch(wide)(`http://localhost:${port}/by-fetch`)).text()).toBe('internal');
    const err = await refusal(
      httpGet(`http://localhost:${port}/metrics`, {}, signal(), { policy: DEFAULT_OUTBOUND_POLICY }),
    );
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(seen).toEqual(['/by-fetch']);
  });

  it('refuses a policyFetch on a socket httpGet opened under a wider policy', async () => {
    expect(await getText(`http://localhost:${port}/by-get`, wide)).toBe('internal');
    const err = await refusal(policyFetch(DEFAULT_OUTBOUND_POLICY)(`http://localhost:${port}/metrics`));
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(seen).toEqual(['/by-get']);
  });

  it('reuses a pooled socket under the same policy without piling up listeners', async () => {
    const warnings = await warningsDuring(async () => {
      for (let i = 0; i < 15; i++) expect(await getText(`http://localhost:${port}/again`, wide)).toBe('internal');
    });
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    expect(seen.filter((u) => u === '/again')).toHaveLength(15);
    // Keep-alive still works: the fifteen requests did not each open a connection.
    expect(connections).toBeLessThan(15);
  });
});
