/**
 * Enforcing the outbound policy on real connections. `policyLookup` replaces `dns.lookup` for
 * node's net/tls/http/https connections (the `lookup` option): it resolves the name and hands back
 * only the addresses the policy allows, so the address that is checked is the address that is
 * connected to (no DNS-rebinding gap between a check and a second resolution). IP-literal hosts
 * skip `lookup` in node, so `assertHostAllowed` checks them before connecting, and
 * `assertPeerAllowed` re-checks the connected socket's peer address as a last line.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOneOptions, LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { hostIsAllowListed, normalizeHost, refusedRange } from './address-policy.js';
import type { OutboundPolicy } from './address-policy.js';

/** A connection the policy refused; `code` is `ADDRESS_REFUSED` (never retryable). */
export class AddressRefusedError extends Error {
  readonly code = 'ADDRESS_REFUSED';
  constructor(host: string, address: string | null, range: string) {
    const where = address !== null && address !== host ? `${host} (${address})` : host;
    super(
      `refusing to connect to ${where}: ${range} addresses are not allowed for downloads (set OUTBOUND_ALLOW to permit an internal mirror)`,
    );
    this.name = 'AddressRefusedError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** The shape node's `lookup` connection option takes. */
export type PolicyLookup = (
  hostname: string,
  options: LookupOneOptions | LookupAllOptions | number,
  callback: LookupCallback,
) => void;

/** A `dns.lookup` replacement that filters resolved addresses through `policy`. */
export function policyLookup(policy: OutboundPolicy, resolve: typeof dnsLookup = dnsLookup): PolicyLookup {
  return (hostname, options, callback) => {
    const opts = typeof options === 'number' ? { family: options } : options;
    const wantAll = 'all' in opts && opts.all === true;
    const allowListed = hostIsAllowListed(policy, hostname);
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) {
        callback(err, wantAll ? [] : '');
        return;
      }
      const list = addresses;
      const allowed = allowListed ? list : list.filter((a) => refusedRange(policy, a.address) === null);
      if (allowed.length === 0) {
        const first = list[0];
        const range = first === undefined ? 'unresolvable' : (refusedRange(policy, first.address) ?? 'refused');
        callback(
          Object.assign(new AddressRefusedError(normalizeHost(hostname), first?.address ?? null, range), {
            errno: undefined,
          }),
          wantAll ? [] : '',
        );
        return;
      }
      if (wantAll) callback(null, allowed);
      else callback(null, allowed[0]?.address ?? '', allowed[0]?.family);
    });
  };
}

/** Throws AddressRefusedError when `host` is an IP literal the policy refuses (names are checked at lookup). */
export function assertHostAllowed(policy: OutboundPolicy, host: string): void {
  const h = normalizeHost(host);
  if (isIP(h) === 0 || hostIsAllowListed(policy, h)) return;
  const range = refusedRange(policy, h);
  if (range !== null) throw new AddressRefusedError(h, null, range);
}

/**
 * Checks the peer of the socket a request got, under this request's policy: a new socket once it
 * connects, a pooled keep-alive one at once (node's agent pools sockets by host and port, not by
 * policy, so a socket opened under a wider policy may come back to a stricter request).
 */
export function checkRequestSocket(policy: OutboundPolicy, host: string, socket: Socket): void {
  if (socket.connecting) socket.once('connect', () => assertPeerAllowed(policy, host, socket));
  else assertPeerAllowed(policy, host, socket);
}

/** Destroys `socket` with AddressRefusedError if its peer address is refused (call on `connect`). */
export function assertPeerAllowed(policy: OutboundPolicy, host: string, socket: Socket): boolean {
  const peer = socket.remoteAddress;
  if (peer === undefined || hostIsAllowListed(policy, host)) return true;
  const range = refusedRange(policy, peer);
  if (range === null) return true;
  socket.destroy(new AddressRefusedError(normalizeHost(host), peer, range));
  return false;
}
