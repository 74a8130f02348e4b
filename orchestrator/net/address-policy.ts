/**
 * The outbound address policy: which addresses the worker may connect to when it fetches anything
 * a submitter named (checkpoints, datasets, adapters, archives, every redirect hop, webhooks). By
 * default only global unicast addresses are allowed: loopback, link-local (including the cloud
 * metadata address 169.254.169.254), private (RFC 1918), unique-local (fc00::/7, including AWS's
 * fd00:ec2::254), carrier-grade NAT, unspecified, broadcast, multicast, reserved, documentation,
 * benchmarking and the IPv6 transition ranges that embed IPv4 addresses (6to4, Teredo, NAT64) are
 * refused; IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. Operators with
 * internal mirrors allow CIDRs or exact host names (`OUTBOUND_ALLOW`). Pure: no I/O.
 */
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** An outbound policy: the default refusals, minus what the allow-list permits. */
export interface OutboundPolicy {
  /** Address ranges allowed although they are not global unicast. */
  readonly allowCidrs: readonly (readonly [Ip, number])[];
  /** Host names (lower case, no trailing dot) allowed whatever they resolve to. */
  readonly allowHosts: ReadonlySet<string>;
}

/** The default: global unicast only, nothing allowed beyond it. */
export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = Object.freeze({ allowCidrs: [], allowHosts: new Set<string>() });

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/;

/** Lower-cases a URL or config host and drops IPv6 brackets and a trailing dot. */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  const unbracketed = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}

/**
 * Parses allow-list entries: a CIDR (`10.20.0.0/16`, `fd12::/64`), a single address, or an exact
 * host name (`mirror.internal`). Returns the policy, or every bad entry with the reason.
 */
export function parseAllowList(
  entries: readonly string[],
): { ok: true; policy: OutboundPolicy } | { ok: false; errors: string[] } {
  const cidrs: (readonly [Ip, number])[] = [];
  const hosts = new Set<string>();
  const errors: string[] = [];
  for (const raw of entries) {
    const e = normalizeHost(raw);
    if (e === '') continue;
    if (e.includes('/')) {
      if (ipaddr.isValidCIDR(e)) cidrs.push(ipaddr.parseCIDR(e));
      else errors.push(`${JSON.stringify(raw.slice(0, 80))} is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
    } else if (ipaddr.isValid(e)) {
      const ip = ipaddr.process(e);
      cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOST_NAME.test(e)) {
      hosts.add(e);
    } else {
      errors.push(`${JSON.stringify(raw.slice(0, 80))} is neither a CIDR, an IP address nor a host name`);
    }
  }
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, policy: Object.freeze({ allowCidrs: cidrs, allowHosts: hosts }) };
}

/** A policy from allow-list entries; throws a TypeError naming the bad entries. */
export function outboundPolicy(entries: readonly string[] = []): OutboundPolicy {
  const r = parseAllowList(entries);
  if (!r.ok) throw new TypeError(`outbound allow-list: ${r.errors.join('; ')}`);
  return r.policy;
}

/** `policy` plus extra allowed hosts or addresses (e.g. an operator-configured endpoint's host). */
export function withAllowed(policy: OutboundPolicy, entries: readonly string[]): OutboundPolicy {
  const extra = outboundPolicy(entries);
  return Object.freeze({
    allowCidrs: [...policy.allowCidrs, ...extra.allowCidrs],
    allowHosts: new Set([...policy.allowHosts, ...extra.allowHosts]),
  });
}

/** True when connections to host name `host` are allowed whatever it resolves to. */
export function hostIsAllowListed(policy: OutboundPolicy, host: string): boolean {
  return policy.allowHosts.has(normalizeHost(host));
}

/**
 * Why `address` (a literal IPv4/IPv6 address) is refused, as the range's name (`loopback`,
 * `private`, `linkLocal`, …), or null when the policy allows it. Unparseable input is refused.
 */
export function refusedRange(policy: OutboundPolicy, address: string): string | null {
  const a = normalizeHost(address);
  if (!ipaddr.isValid(a)) return 'invalid';
  const ip = ipaddr.process(a); // IPv4-mapped IPv6 → IPv4
  for (const [net, bits] of policy.allowCidrs) {
    if (net.kind() === ip.kind() && ip.match(net, bits)) return null;
  }
  const range = ip.range();
  return range === 'unicast' ? null : range;
}
