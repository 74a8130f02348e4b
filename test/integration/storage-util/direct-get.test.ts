// The zero-copy HTTP(S) GET used for checkpoint bodies, against raw servers on loopback that
// write exact bytes: Content-Length, chunked (including split framing and bad framing),
// read-to-close and 1xx bodies, redirects (Authorization dropped across origins), errors, abort,
// idle timeout, and HTTPS with a certificate made for the test.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundPolicy } from '../../../orchestrator/net/address-policy.js';
import { directGet, isDirectBody, type DirectGetResponse } from '../../../orchestrator/storage/util/direct-get.js';

// The test servers listen on loopback, which the default outbound policy refuses.
const LOOPBACK = { policy: outboundPolicy(['127.0.0.1']) };

type Handler = (socket: Socket, request: string) => void;

/** Reads the body of a response into one buffer, through the direct sink when it has one. */
function readBody(res: DirectGetResponse, bufferSize = 7): Promise<Buffer> {
  const body = res.body;
  if (!isDirectBody(body)) {
    return (async () => {
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c as Buffer);
      return Buffer.concat(parts);
    })();
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let pauses = 0;
    body.attach({
      buffer: () => Buffer.alloc(bufferSize),
      data: (buf, n) => {
        parts.push(Buffer.from(buf.subarray(0, n)));
        // Pause once to exercise resume().
        if (pauses++ === 0) {
          setImmediate(() => body.resume());
          return false;
        }
        return true;
      },
      end: (err) =>
        err === null || err === undefined
          ? resolve(Buffer.concat(parts))
          : reject(err instanceof Error ? err : new Error('body failed')),
    });
  });
}

let server: Server;
let base = '';
const routes = new Map<string, Handler>();
const sockets = new Set<Socket>();
const seen: string[] = [];

beforeAll(async () => {
  server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let acc = '';
    socket.on('data', (d: Buffer) => {
      acc += d.toString('latin1');
      if (!acc.includes('\r\n\r\n')) return;
      seen.push(acc);
      const path = /^GET (\S+) /.exec(acc)?.[1] ?? '';
      const h = routes.get(path);
      if (h) h(socket, acc);
      else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const signal = () => new AbortController().signal;

describe('directGet over plain HTTP', () => {
  it('reads a Content-Length body through small buffers with a pause', async () => {
    routes.set('/len', (s) =>
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 26\r\nETag: "x"\r\n\r\nabcdefghijklmnopqrstuvwxyz'),
    );
    const res = await directGet(`${base}/len`, {}, signal(), LOOPBACK);
    expect(res.status).toBe(200);
    expect(res.header('etag')).toBe('"x"');
    expect((await readBody(res)).toString()).toBe('abcdefghijklmnopqrstuvwxyz');
  });

  it('decodes a chunked body whose framing is split across writes, with extensions and trailers', async () => {
    routes.set('/chunked', (s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      s.write('5;ext=1\r\nhel');
      setTimeout(() => {
        s.write('lo\r\n1');
        setTimeout(() => s.end('0\r\n world, chunk!!!\r\n0\r\nX-Trailer: y\r\n\r\n'), 5);
      }, 5);
    });
    const res = await directGet(`${base}/chunked`, {}, signal(), LOOPBACK);
    expect((await readBody(res, 3)).toString()).toBe('hello world, chunk!!!');
  });

  it('fails on malformed chunk framing instead of returning bad bytes', async () => {
    routes.set('/badchunk', (s) =>
      s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'),
    );
    const res = await directGet(`${base}/badchunk`, {}, signal(), LOOPBACK);
    await expect(readBody(res)).rejects.toThrow(/chunked/);
  });

  it('reads a body delimited by connection close', async () => {
    routes.set('/close', (s) => s.end('HTTP/1.0 200 OK\r\n\r\nuntil the end'));
    const res = await directGet(`${base}/close`, {}, signal(), LOOPBACK);
    expect((await readBody(res)).toString()).toBe('until the end');
  });

  it('reports a body cut short of its Content-Length as an error', async () => {
    routes.set('/cut', (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'));
    const res = await directGet(`${base}/cut`, {}, signal(), LOOPBACK);
    await expect(readBody(res)).rejects.toThrow();
  });

  it('skips 1xx informational responses', async () => {
    routes.set('/early', (s) =>
      s.end('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    );
    const res = await directGet(`${base}/early`, {}, signal(), LOOPBACK);
    expect(res.status).toBe(200);
    expect((await readBody(res)).toString()).toBe('ok');
  });

  it('returns error statuses to the caller', async () => {
    const res = await directGet(`${base}/missing`, {}, signal(), LOOPBACK);
    expect(res.status).toBe(404);
  });

  it('rejects a malformed status line', async () => {
    routes.set('/garbage', (s) => s.end('SPDY/9 what\r\n\r\n'));
    await expect(directGet(`${base}/garbage`, {}, signal(), LOOPBACK)).rejects.toThrow(/malformed/);
  });

  it('follows redirects, keeps Authorization on the same origin and drops it across origins', async () => {
    const other = `http://localhost:${(server.address() as AddressInfo).port}`;
    routes.set('/r1', (s) => s.end('HTTP/1.1 302 Found\r\nLocation: /r2\r\nContent-Length: 0\r\n\r\n'));
    routes.set('/r2', (s) =>
      s.end(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${other}/r3\r\nContent-Length: 0\r\n\r\n`),
    );
    routes.set('/r3', (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone'));
    seen.length = 0;
    const res = await directGet(`${base}/r1`, { Authorization: 'Bearer hf_planted_token' }, signal(), LOOPBACK);
    expect(res.url).toBe(`${other}/r3`);
    expect((await readBody(res)).toString()).toBe('done');
    const byPath = (p: string) => seen.find((r) => r.startsWith(`GET ${p} `)) ?? '';
    expect(byPath('/r2')).toContain('Authorization: Bearer hf_planted_token');
    expect(byPath('/r3')).not.toContain('hf_planted_token');
  });

  it('refuses header values that would split the request', async () => {
    await expect(directGet(`${base}/len`, { 'X-Bad': 'a\r\nInjected: 1' }, signal(), LOOPBACK)).rejects.toThrow(
      /invalid header/,
    );
  });

  it('refuses non-http protocols', async () => {
    await expect(directGet('ftp://127.0.0.1/x', {}, signal(), LOOPBACK)).rejects.toThrow(/unsupported protocol/);
  });

  it('aborts a request whose server never answers', async () => {
    routes.set('/silent', () => undefined);
    const ac = new AbortController();
    const p = directGet(`${base}/silent`, {}, ac.signal, LOOPBACK);
    setTimeout(() => ac.abort(new Error('cancelled by test')), 20);
    await expect(p).rejects.toThrow();
  });

  it('drops a connection that stays idle past the idle timeout', async () => {
    routes.set('/stall', (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    const res = await directGet(`${base}/stall`, {}, signal(), { idleTimeoutMs: 100, ...LOOPBACK });
    await expect(readBody(res)).rejects.toThrow();
  });
});

describe('directGet over HTTPS', () => {
  let dir = '';
  let tls: Server;
  let url = '';
  let cert = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'direct-get-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecure\r\n0\r\n\r\n'),
      );
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/file`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => tls.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a certificate it does not trust', async () => {
    await expect(directGet(url, {}, signal(), LOOPBACK)).rejects.toThrow(/certificate/i);
  });

  it('reads the body when the certificate is trusted (NODE_EXTRA_CA_CERTS-style CA in a child process)', async () => {
    // Node reads extra CAs only at start-up, so the trusted case runs in a child with the CA set.
    const script = `import { directGet, isDirectBody } from ${JSON.stringify(join(import.meta.dirname, '..', '..', '..', 'orchestrator/storage/util/direct-get.ts'))};
const res = await directGet(${JSON.stringify(url)}, {}, new AbortController().signal, { policy: { allowCidrs: [], allowHosts: new Set(['127.0.0.1']) } });
const parts = [];
if (isDirectBody(res.body)) await new Promise((ok, fail) => res.body.attach({ buffer: () => Buffer.alloc(4), data: (b, n) => { parts.push(Buffer.from(b.subarray(0, n))); return true; }, end: (e) => (e ? fail(e) : ok()) }));
else for await (const c of res.body) parts.push(c);
process.stdout.write(res.status + ' ' + Buffer.concat(parts).toString());`;
    // Asynchronously: the TLS server lives in this process and must keep answering.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') },
        encoding: 'utf8',
      },
    );
    expect(stdout).toBe('200 secure');
  });
});
