/**
 * A `fetch` for GET/HEAD requests to hosts a submitter named, built on node:http/https so every
 * connection goes through the outbound policy (`policyLookup` for names, a literal check for IP
 * hosts, a peer check on connect) and every redirect hop is checked again before it is followed.
 * `Authorization` is dropped when a redirect changes origin. Used instead of the global fetch,
 * whose connections cannot be given a lookup without the undici package.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { requestFollowingRedirects } from './follow-redirect.js';
import type { OutboundPolicy } from './address-policy.js';
import { assertHostAllowed, checkRequestSocket, policyLookup } from './safe-lookup.js';

export interface PolicyFetchOptions {
  /** Redirects followed before the last response is returned as is (default 5). */
  readonly maxRedirects?: number;
}

function headerRecord(h: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(h).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** One request; resolves with the response head (body unread). */
export function requestOnce(
  policy: OutboundPolicy,
  url: URL,
  method: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // A refused literal address throws here, which rejects the promise before any connection.
    assertHostAllowed(policy, url.hostname);
    const opts: RequestOptions = { method, headers, lookup: policyLookup(policy), ...(signal ? { signal } : {}) };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, resolve);
    // Pooled keep-alive sockets included (see checkRequestSocket).
    req.on('socket', (s) => checkRequestSocket(policy, url.hostname, s));
    req.on('error', reject);
    req.end();
  });
}

/** A fetch restricted by `policy` (GET and HEAD without a request body). */
export function policyFetch(policy: OutboundPolicy, opts: PolicyFetchOptions = {}): typeof fetch {
  const maxRedirects = opts.maxRedirects ?? 5;
  return async (input, init) => {
    const req = input instanceof Request ? input : null;
    const start = new URL(req !== null ? req.url : input instanceof URL ? input.href : input);
    const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD')
      throw new TypeError(`policyFetch: only GET and HEAD are supported (got ${method})`);
    if (init?.body !== undefined && init.body !== null)
      throw new TypeError('policyFetch: request bodies are not supported');
    const signal = init?.signal ?? req?.signal ?? undefined;
    if (start.protocol !== 'http:' && start.protocol !== 'https:')
      throw new TypeError(`unsupported protocol ${start.protocol}`);
    const { response: res, url } = await requestFollowingRedirects(
      start,
      headerRecord(init?.headers ?? req?.headers),
      maxRedirects,
      {
        send: (u, h) => requestOnce(policy, u, method, h, signal ?? undefined),
        probe: (r) => ({ status: r.statusCode ?? 0, location: r.headers.location }),
        discard: (r) => r.resume(),
      },
    );
    const status = res.statusCode ?? 0;
    const out = new Headers();
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
      out.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
    const noBody = method === 'HEAD' || status === 204 || status === 304;
    if (noBody) res.resume();
    const body = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
    const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers: out });
    Object.defineProperty(response, 'url', { value: url.href });
    return response;
  };
}
