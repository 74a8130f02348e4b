/**
 * A minimal GET over node:http/https that follows redirects (dropping `Authorization` when the
 * origin changes) and hands back the raw IncomingMessage. Used instead of fetch for file bodies:
 * node streams deliver every received byte before reporting a cut connection, while a WHATWG
 * stream drops its queued chunks when it errors, losing resume progress. Connections and redirect
 * hops go through the outbound address policy, pooled keep-alive sockets included.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DEFAULT_OUTBOUND_POLICY } from '../../net/address-policy.js';
import type { OutboundPolicy } from '../../net/address-policy.js';
import { assertHostAllowed, checkRequestSocket, policyLookup } from '../../net/safe-lookup.js';
import { requestFollowingRedirects } from '../../net/follow-redirect.js';

export interface HttpGetResponse {
  readonly status: number;
  readonly url: string;
  header(name: string): string | null;
  readonly body: IncomingMessage;
}

/** One GET; resolves with the response head (body unread). */
function getOnce(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  idle: number,
  policy: OutboundPolicy,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // A refused literal address throws here, which rejects the promise before any connection.
    assertHostAllowed(policy, url.hostname);
    const lookup = policyLookup(policy) as NonNullable<RequestOptions['lookup']>;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', headers, signal, lookup },
      resolve,
    );
    // Pooled keep-alive sockets included (see checkRequestSocket).
    req.on('socket', (s) => checkRequestSocket(policy, url.hostname, s));
    req.setTimeout(idle, () => req.destroy(new Error(`no data for ${idle} ms (stalled connection)`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * GETs `url` with `headers`, following up to `maxRedirects` redirects. A connection that stays
 * silent for `idleTimeoutMs` (default 60 s) is destroyed, so a stalled server cannot hang a fetch.
 */
export async function httpGet(
  url: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  opts: { maxRedirects?: number; idleTimeoutMs?: number; policy?: OutboundPolicy } = {},
): Promise<HttpGetResponse> {
  const policy = opts.policy ?? DEFAULT_OUTBOUND_POLICY;
  const idle = opts.idleTimeoutMs ?? 60_000;
  const { response: res, url: last } = await requestFollowingRedirects(new URL(url), headers, opts.maxRedirects ?? 5, {
    send: (u, h) => getOnce(u, h, signal, idle, policy),
    probe: (r) => ({ status: r.statusCode ?? 0, location: r.headers.location }),
    discard: (r) => r.resume(),
  });
  return {
    status: res.statusCode ?? 0,
    url: last.href,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    body: res,
  };
}
