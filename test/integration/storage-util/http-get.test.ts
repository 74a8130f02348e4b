// The node:http GET the Azure source lists blobs with, against loopback servers: the redirect
// chain it follows (Authorization kept on the same origin, dropped across origins, every hop
// checked by the outbound policy, a limit after which the redirect itself comes back), the
// headers it hands back, and the idle timeout.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundPolicy } from '../../../orchestrator/net/address-policy.js';
import { AddressRefusedError } from '../../../orchestrator/net/safe-lookup.js';
import { httpGet, type HttpGetResponse } from '../../../orchestrator/storage/util/http-get.js';

interface Seen {
  readonly server: 'a' | 'b';
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
let a: Server;
let b: Server;
let aUrl = '';
let bUrl = '';
const LOOPBACK = { policy: outboundPolicy(['127.0.0.1']) };
const AUTH = { authorization: 'Bearer planted-token', 'x-ms-version': '2021-08-06' };

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

function listen(name: 'a' | 'b', route: (path: string) => Reply | null): Promise<Server> {
  const s = createServer((req, res) => {
    seen.push({ server: name, url: req.url ?? '', headers: req.headers });
    const r = route(req.url ?? '');
    if (r === null) return; // never answers (stalled server)
    res.writeHead(r.status, r.headers ?? {}).end(r.body ?? '');
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

beforeAll(async () => {
  a = await listen('a', (p): Reply | null => {
    if (p === '/same') return { status: 302, headers: { location: '/same-2' }, body: 'redirect body' };
    if (p === '/same-2') return { status: 307, headers: { location: `${bUrl}/cross` } };
    if (p.startsWith('/loop/')) return { status: 301, headers: { location: `/loop/${Number(p.slice(6)) + 1}` } };
    if (p === '/to-literal') return { status: 302, headers: { location: `${bUrl}/internal` } };
    if (p === '/to-ftp') return { status: 302, headers: { location: 'ftp://127.0.0.1/x' } };
    if (p === '/stall') return null;
    return { status: 404, headers: { 'x-ms-error-code': 'BlobNotFound' } };
  });
  b = await listen('b', () => ({
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: 'final',
  }));
  aUrl = `http://127.0.0.1:${(a.address() as AddressInfo).port}`;
  bUrl = `http://127.0.0.1:${(b.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [a, b]) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const signal = (): AbortSignal => new AbortController().signal;
async function text(res: HttpGetResponse): Promise<string> {
  let s = '';
  for await (const c of res.body) s += (c as Buffer).toString('utf8');
  return s;
}

describe('httpGet', () => {
  it('follows a chain, keeping Authorization on the same origin and dropping it across origins', async () => {
    const from = seen.length;
    const res = await httpGet(`${aUrl}/same`, AUTH, signal(), LOOPBACK);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${bUrl}/cross`);
    expect(res.header('Content-Type')).toBe('text/plain');
    expect(res.header('x-absent')).toBeNull();
    expect(await text(res)).toBe('final');
    const hops = seen.slice(from);
    expect(hops.map((h) => `${h.server}${h.url}`)).toEqual(['a/same', 'a/same-2', 'b/cross']);
    expect(hops.map((h) => h.headers.authorization)).toEqual([
      'Bearer planted-token',
      'Bearer planted-token',
      undefined,
    ]);
    expect(hops.every((h) => h.headers['x-ms-version'] === '2021-08-06')).toBe(true);
  });

  it('returns the redirect itself once maxRedirects hops were followed', async () => {
    const from = seen.length;
    const res = await httpGet(`${aUrl}/loop/0`, {}, signal(), { ...LOOPBACK, maxRedirects: 2 });
    expect(res.status).toBe(301);
    expect(res.url).toBe(`${aUrl}/loop/2`);
    expect(res.header('location')).toBe('/loop/3');
    res.body.resume();
    expect(seen.slice(from).map((h) => h.url)).toEqual(['/loop/0', '/loop/1', '/loop/2']);
  });

  it('hands back an error response with its headers, without following anything', async () => {
    const res = await httpGet(`${aUrl}/missing`, {}, signal(), LOOPBACK);
    expect(res.status).toBe(404);
    expect(res.header('x-ms-error-code')).toBe('BlobNotFound');
    res.body.resume();
  });

  it('checks every hop against the outbound policy: a redirect into a refused address is not followed', async () => {
    const from = seen.length;
    const allowLocalhost = { policy: outboundPolicy(['localhost']) };
    const start = `${aUrl.replace('127.0.0.1', 'localhost')}/to-literal`;
    const err = await httpGet(start, {}, signal(), allowLocalhost).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(seen.slice(from).map((h) => `${h.server}${h.url}`)).toEqual(['a/to-literal']);
  });

  it('refuses a redirect to a protocol other than http(s)', async () => {
    await expect(httpGet(`${aUrl}/to-ftp`, {}, signal(), LOOPBACK)).rejects.toThrow(
      'redirect to unsupported protocol ftp:',
    );
  });

  it('refuses a loopback URL under the default policy before connecting', async () => {
    const from = seen.length;
    await expect(httpGet(`${aUrl}/same`, {}, signal())).rejects.toBeInstanceOf(AddressRefusedError);
    expect(seen.length).toBe(from);
  });

  it('destroys a connection that stays silent for idleTimeoutMs', async () => {
    const t0 = Date.now();
    await expect(httpGet(`${aUrl}/stall`, {}, signal(), { ...LOOPBACK, idleTimeoutMs: 150 })).rejects.toThrow(
      'no data for 150 ms (stalled connection)',
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
