/**
 * An HTTP(S)/1.1 GET whose body is read straight into buffers the consumer supplies (net/tls
 * socket `onread`), for large file bodies: no per-read allocation (so no garbage and no GC driven
 * by external memory), no copy between the socket's buffer and ours. One request per connection
 * (`Connection: close`); Content-Length, chunked and read-to-close bodies. Redirects are followed
 * like `httpGet` (dropping `Authorization` when the origin changes). Every connection, redirect
 * hops included, goes through the outbound address policy (default: global unicast only).
 */
import { isIP, connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Readable } from 'node:stream';
import { DEFAULT_OUTBOUND_POLICY } from '../../net/address-policy.js';
import type { OutboundPolicy } from '../../net/address-policy.js';
import { assertHostAllowed, assertPeerAllowed, policyLookup } from '../../net/safe-lookup.js';
import { requestFollowingRedirects } from '../../net/follow-redirect.js';

/** Where a direct body delivers its bytes. */
export interface DirectSink {
  /** The buffer the next read lands in (at least one byte long); called before every read. */
  buffer(): Buffer;
  /** `n` body bytes landed at the start of `buf` (a buffer `buffer()` returned). False pauses. */
  data(buf: Buffer, n: number): boolean;
  /** The body ended (null) or failed; called once. */
  end(err: unknown): void;
}

/** A response body read into the consumer's buffers. */
export interface DirectBody {
  readonly direct: true;
  /** Starts delivery (once). */
  attach(sink: DirectSink): void;
  /** Continues after `data` returned false. */
  resume(): void;
  /** Drops the connection (the body is not wanted, or the consumer failed). */
  destroy(): void;
}

export interface DirectGetResponse {
  readonly status: number;
  readonly url: string;
  header(name: string): string | null;
  readonly body: DirectBody | Readable;
}

export function isDirectBody(b: DirectBody | Readable): b is DirectBody {
  return (b as Partial<DirectBody>).direct === true;
}

const MAX_HEAD = 64 << 10;
const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Head {
  readonly status: number;
  readonly headers: Map<string, string>;
}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) throw Object.assign(new Error('malformed HTTP response'), { code: 'HPE_INVALID_CONSTANT' });
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) throw Object.assign(new Error('malformed HTTP header'), { code: 'HPE_INVALID_HEADER_TOKEN' });
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    const prev = headers.get(k);
    headers.set(k, prev === undefined ? v : `${prev}, ${v}`);
  }
  return { status: Number(m[1]), headers };
}

/** Decodes `Transfer-Encoding: chunked` in place: keeps only data bytes at the front of the region. */
class Dechunker {
  private state: 'size' | 'ext' | 'sizeLf' | 'data' | 'dataCr' | 'dataLf' | 'trailer' | 'done' = 'size';
  private size = 0;
  private left = 0;
  private digits = 0;
  private trailerLineLen = 0;
  get done(): boolean {
    return this.state === 'done';
  }
  /** Compacts `buf[0, n)`; returns how many data bytes now sit at `buf[0, k)`. Throws on bad framing. */
  run(buf: Buffer, n: number): number {
    let w = 0;
    let i = 0;
    const bad = (): never => {
      throw Object.assign(new Error('malformed chunked encoding'), { code: 'HPE_INVALID_CHUNK_SIZE' });
    };
    while (i < n) {
      switch (this.state) {
        case 'data': {
          const m = Math.min(this.left, n - i);
          if (w !== i) buf.copyWithin(w, i, i + m);
          w += m;
          i += m;
          this.left -= m;
          if (this.left === 0) this.state = 'dataCr';
          break;
        }
        case 'size': {
          const c = buf[i++] as number;
          const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (d >= 0) {
            if (++this.digits > 12) bad();
            this.size = this.size * 16 + d;
          } else if (this.digits === 0) bad();
          else if (c === 13) this.state = 'sizeLf';
          else if (c === 59 || c === 32 || c === 9) this.state = 'ext';
          else bad();
          break;
        }
        case 'ext':
          if (buf[i++] === 13) this.state = 'sizeLf';
          break;
        case 'sizeLf':
          if (buf[i++] !== 10) bad();
          if (this.size === 0) {
            this.state = 'trailer';
            this.trailerLineLen = 0;
          } else {
            this.left = this.size;
            this.state = 'data';
          }
          this.size = 0;
          this.digits = 0;
          break;
        case 'dataCr':
          if (buf[i++] !== 13) bad();
          this.state = 'dataLf';
          break;
        case 'dataLf':
          if (buf[i++] !== 10) bad();
          this.state = 'size';
          break;
        case 'trailer': {
          const c = buf[i++];
          if (c === 10) {
            if (this.trailerLineLen === 0) this.state = 'done';
            this.trailerLineLen = 0;
          } else if (c !== 13) this.trailerLineLen++;
          break;
        }
        case 'done':
          return w;
      }
    }
    return w;
  }
}

type Framing =
  | { readonly kind: 'length'; left: number }
  | { readonly kind: 'chunked'; readonly d: Dechunker }
  | { readonly kind: 'eof' };

/** One request on a fresh connection; resolves once the response head arrived. */
function requestOnce(
  url: URL,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  idle: number,
  policy: OutboundPolicy,
): Promise<{ head: Head; body: DirectBody }> {
  return new Promise((resolve, reject) => {
    // A refused literal address throws here, which rejects the promise before any connection.
    assertHostAllowed(policy, url.hostname);
    let headBuf: Buffer = Buffer.allocUnsafe(16 << 10);
    let headLen = 0;
    let head: Head | null = null;
    let framing: Framing = { kind: 'eof' };
    let sink: DirectSink | null = null;
    let leftover: Buffer | null = null;
    let finished = false;
    const finish = (err: Error | null): void => {
      if (finished) return;
      finished = true;
      signal.removeEventListener('abort', onAbort);
      if (head === null) reject(err ?? new Error('connection closed before the response head'));
      else sink?.end(err);
      socket.destroy();
    };
    const fail = (err: Error | null): void => {
      if (!finished) finish(err ?? new Error('connection closed before the body ended'));
    };
    const onAbort = (): void =>
      fail(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    /** Passes `n` received bytes at `buf` (already in the sink's buffer) through the framing. */
    const deliver = (buf: Buffer, n: number): boolean => {
      let k = n;
      if (framing.kind === 'chunked') {
        try {
          k = framing.d.run(buf, n);
        } catch (e) {
          // Bad framing from the server fails this download; it must never escape the socket callback.
          fail(e instanceof Error ? e : new Error('malformed chunked encoding'));
          return false;
        }
      } else if (framing.kind === 'length') {
        if (n > framing.left) k = framing.left;
        framing.left -= k;
      }
      const more = k > 0 && sink !== null ? sink.data(buf, k) : true;
      const complete = framing.kind === 'length' ? framing.left === 0 : framing.kind === 'chunked' && framing.d.done;
      if (complete) finish(null);
      return more;
    };
    const pushLeftover = (): boolean => {
      while (leftover !== null && !finished && sink !== null) {
        const b = sink.buffer();
        const k = Math.min(b.length, leftover.length);
        leftover.copy(b, 0, 0, k);
        leftover = k === leftover.length ? null : leftover.subarray(k);
        if (!deliver(b, k)) return false;
      }
      return true;
    };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const tls = url.protocol === 'https:';
    const onread: OnReadOpts = {
      buffer: () => {
        if (head === null) {
          if (headLen === headBuf.length) {
            if (headBuf.length >= MAX_HEAD) {
              fail(Object.assign(new Error('HTTP response head too large'), { code: 'HPE_HEADER_OVERFLOW' }));
              return headBuf;
            }
            const bigger = Buffer.allocUnsafe(headBuf.length * 2);
            headBuf.copy(bigger, 0, 0, headLen);
            headBuf = bigger;
          }
          return headBuf.subarray(headLen);
        }
        return sink !== null && !finished ? sink.buffer() : headBuf;
      },
      callback: (n: number, buf: Uint8Array): boolean => {
        if (finished) return false;
        if (head !== null) return sink === null ? false : deliver(buf as Buffer, n);
        headLen += n;
        let end: number;
        let parsed: Head;
        for (;;) {
          end = headBuf.subarray(0, headLen).indexOf(CRLFCRLF);
          if (end < 0) return true;
          try {
            parsed = parseHead(headBuf.toString('latin1', 0, end));
          } catch (e) {
            fail(e instanceof Error ? e : new Error('malformed HTTP response'));
            return false;
          }
          if (parsed.status >= 200 || parsed.status < 100) break;
          // Interim response (e.g. 100 Continue, 103 Early Hints): drop it; the final head may
          // already be in the buffer.
          headBuf.copyWithin(0, end + 4, headLen);
          headLen -= end + 4;
        }
        head = parsed;
        const te = parsed.headers.get('transfer-encoding');
        const cl = parsed.headers.get('content-length');
        if (te !== undefined && te.toLowerCase() !== 'identity') {
          if (!/(^|,)\s*chunked\s*$/i.test(te)) {
            fail(
              Object.assign(new Error(`unsupported transfer-encoding ${te}`), {
                code: 'HPE_INVALID_TRANSFER_ENCODING',
              }),
            );
            return false;
          }
          framing = { kind: 'chunked', d: new Dechunker() };
        } else if (parsed.status === 204 || parsed.status === 304) framing = { kind: 'length', left: 0 };
        else if (cl !== undefined) {
          if (!/^\d+$/.test(cl)) {
            fail(Object.assign(new Error('bad content-length'), { code: 'HPE_INVALID_CONTENT_LENGTH' }));
            return false;
          }
          framing = { kind: 'length', left: Number(cl) };
        }
        if (headLen > end + 4) leftover = Buffer.from(headBuf.subarray(end + 4, headLen));
        resolve({ head: parsed, body });
        // Wait for the consumer to attach.
        return false;
      },
    };
    // Certificates are checked as node:https does (default CAs plus NODE_EXTRA_CA_CERTS).
    // (tls.connect takes `onread` like net.connect; @types/node does not list it.)
    // Names resolve through the outbound policy (only allowed addresses come back); the peer is
    // checked again once connected.
    const lookup = policyLookup(policy) as NonNullable<ConnectionOptions['lookup']>;
    const tlsOpts: ConnectionOptions & { onread: OnReadOpts } = {
      host,
      port: Number(url.port || 443),
      onread,
      lookup,
      ALPNProtocols: ['http/1.1'],
      ...(isIP(host) === 0 ? { servername: host } : {}),
    };
    const socket: Socket = tls
      ? tlsConnect(tlsOpts)
      : netConnect({ host, port: Number(url.port || 80), onread, lookup });
    socket.once('connect', () => assertPeerAllowed(policy, host, socket));
    const body: DirectBody = {
      direct: true,
      attach(s) {
        if (sink !== null) return;
        sink = s;
        if (finished) {
          // The connection failed before anyone listened.
          s.end(new Error('connection closed before the body ended'));
          return;
        }
        if (framing.kind === 'length' && framing.left === 0 && leftover === null) {
          finish(null);
          return;
        }
        if (pushLeftover()) body.resume();
      },
      resume() {
        if (finished || sink === null) return;
        if (!pushLeftover()) return;
        if (finished) return;
        // The next read may still land in the buffer the socket held when it paused (the consumer
        // copies bytes that arrive outside its own buffers).
        socket.resume();
      },
      destroy() {
        fail(new Error('body discarded'));
      },
    };
    socket.setNoDelay(true);
    socket.setTimeout(idle, () => fail(new Error(`no data for ${idle} ms (stalled connection)`)));
    socket.on('error', (e) => fail(e));
    socket.on('end', () => {
      if (head !== null && framing.kind === 'eof') finish(null);
      else
        fail(
          new Error(
            head === null ? 'connection closed before the response head' : 'connection closed before the body ended',
          ),
        );
    });
    socket.on('close', () => fail(null));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const path = url.pathname + url.search;
    let req = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n`;
    for (const [k, v] of Object.entries(headers)) {
      if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) {
        fail(new TypeError(`invalid header ${k}`));
        return;
      }
      if (k.toLowerCase() === 'host' || k.toLowerCase() === 'connection') continue;
      req += `${k}: ${v}\r\n`;
    }
    req += 'Connection: close\r\n\r\n';
    socket.write(req, 'latin1');
  });
}

/**
 * GETs `url`, following up to `maxRedirects` redirects. A connection silent for `idleTimeoutMs`
 * (default 60 s) is destroyed.
 */
export async function directGet(
  url: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  opts: { maxRedirects?: number; idleTimeoutMs?: number; policy?: OutboundPolicy } = {},
): Promise<DirectGetResponse> {
  const policy = opts.policy ?? DEFAULT_OUTBOUND_POLICY;
  const maxRedirects = opts.maxRedirects ?? 5;
  const idle = opts.idleTimeoutMs ?? 60_000;
  const start = new URL(url);
  if (start.protocol !== 'http:' && start.protocol !== 'https:')
    throw new Error(`unsupported protocol ${start.protocol}`);
  const { response, url: last } = await requestFollowingRedirects(start, headers, maxRedirects, {
    send: (u, h) => requestOnce(u, h, signal, idle, policy),
    probe: ({ head }) => ({ status: head.status, location: head.headers.get('location') }),
    discard: ({ body }) => body.destroy(),
  });
  const { head, body } = response;
  return {
    status: head.status,
    url: last.href,
    header: (name) => head.headers.get(name.toLowerCase()) ?? null,
    body,
  };
}
