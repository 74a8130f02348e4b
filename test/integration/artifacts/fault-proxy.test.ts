import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  seededFaults,
  startFaultProxy,
  type FaultKind,
  type FaultProxyHandle,
} from '../../fixtures/servers/fault-proxy.js';

let upstream: Server;
let proxy: FaultProxyHandle;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'x-upstream': 'yes' });
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function send(
  path: string,
  body: string,
): Promise<{ status: number; body: string; upstream: boolean } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(`${proxy.endpoint}${path}`, { method: 'PUT', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          upstream: res.headers['x-upstream'] === 'yes',
        }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}

describe('fault proxy', () => {
  it('forwards method, path, query and body when no fault is set', async () => {
    expect(await send('/b/k?partNumber=1', 'payload')).toEqual({
      status: 200,
      body: 'PUT /b/k?partNumber=1 payload',
      upstream: true,
    });
  });

  it('answers 500 InternalError, 503 SlowDown, or resets, without reaching the upstream', async () => {
    const plan: FaultKind[] = ['http500', 'http503', 'reset'];
    let i = 0;
    proxy.setFault(() => plan[i++] ?? null);
    const before = proxy.requests.length;
    const r500 = await send('/x', 'a');
    const r503 = await send('/x', 'b');
    const reset = await send('/x', 'c');
    proxy.setFault(null);
    expect(r500).toMatchObject({ status: 500, upstream: false });
    expect((r500 as { body: string }).body).toContain('<Code>InternalError</Code>');
    expect(r503).toMatchObject({ status: 503, upstream: false });
    expect((r503 as { body: string }).body).toContain('<Code>SlowDown</Code>');
    expect(reset).toMatchObject({ error: expect.stringMatching(/ECONNRESET|socket hang up/) as unknown });
    expect(proxy.requests.slice(before).map((r) => r.fault)).toEqual(plan);
  });

  it('seededFaults is deterministic, honours the rate, and cycles through the kinds', () => {
    const run = (seed: number, rate: number): (FaultKind | null)[] => {
      const d = seededFaults({ rate, seed });
      return Array.from({ length: 1000 }, (_, index) => d({ index, method: 'GET', url: '/' }));
    };
    expect(run(1, 0.3)).toEqual(run(1, 0.3));
    expect(run(1, 0.3)).not.toEqual(run(2, 0.3));
    const faults = run(3, 0.3).filter((f) => f !== null);
    expect(faults.length).toBeGreaterThan(250);
    expect(faults.length).toBeLessThan(350);
    expect(faults.slice(0, 6)).toEqual(['http500', 'http503', 'reset', 'http500', 'http503', 'reset']);
    expect(run(4, 0).every((f) => f === null)).toBe(true);
    expect(run(4, 1).every((f) => f !== null)).toBe(true);
  });
});
