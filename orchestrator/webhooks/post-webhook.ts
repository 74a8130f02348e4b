/**
 * One webhook POST under the outbound-address policy (the same one checkpoint URLs obey): the host
 * is checked before connecting, names resolve through the policy's lookup, the peer is checked on
 * connect, and redirects are not followed (a 3xx counts as a failed delivery).
 */
import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundPolicy } from '../net/address-policy.js';
import { AddressRefusedError, assertHostAllowed, checkRequestSocket, policyLookup } from '../net/safe-lookup.js';

export type PostResult =
  | { readonly kind: 'answered'; readonly status: number }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'error'; readonly reason: string };

/** POSTs `body` to `url`; resolves (never rejects) with the status, a policy refusal or a transport error. */
export function postWebhook(
  policy: OutboundPolicy,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
      assertHostAllowed(policy, target.hostname);
    } catch (err) {
      resolve(
        err instanceof AddressRefusedError
          ? { kind: 'refused', reason: err.message }
          : { kind: 'refused', reason: 'not an http(s) URL' },
      );
      return;
    }
    const opts: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: policyLookup(policy),
      signal: AbortSignal.timeout(timeoutMs),
    };
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, opts, (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0 }));
      res.on('error', () => resolve({ kind: 'answered', status: res.statusCode ?? 0 }));
    });
    // Pooled keep-alive sockets included (see checkRequestSocket).
    req.on('socket', (s) => checkRequestSocket(policy, target.hostname, s));
    req.on('error', (err) => {
      const refused =
        err instanceof AddressRefusedError || (err as { cause?: unknown }).cause instanceof AddressRefusedError;
      resolve(
        refused
          ? { kind: 'refused', reason: err.message }
          : { kind: 'error', reason: (err as NodeJS.ErrnoException).code ?? err.name },
      );
    });
    req.end(body);
  });
}
