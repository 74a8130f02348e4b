/**
 * The redirect rule shared by our HTTP clients: which responses redirect, where to, and which
 * headers survive. `Authorization` is dropped when the origin changes, so a token for one host
 * never reaches another (pre-signed CDN URLs included).
 */

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The next request of a redirect chain, or null when the response is not a redirect to follow. */
export function followRedirect(
  current: URL,
  status: number,
  location: string | undefined | null,
  headers: Readonly<Record<string, string>>,
): { url: URL; headers: Record<string, string> } | null {
  if (!REDIRECT_STATUSES.has(status) || location === undefined || location === null) return null;
  const next = new URL(location, current);
  if (next.protocol !== 'http:' && next.protocol !== 'https:')
    throw new Error(`redirect to unsupported protocol ${next.protocol}`);
  const kept =
    next.origin === current.origin
      ? { ...headers }
      : Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
  return { url: next, headers: kept };
}

/** What the redirect loop needs to know of one response. */
export interface RedirectProbe {
  readonly status: number;
  readonly location: string | undefined | null;
}

/** One hop of a redirect chain, as our HTTP clients implement it. */
export interface RedirectHops<R> {
  /** Sends one request to `url` with `headers`; resolves with the response head (body unread). */
  send(url: URL, headers: Record<string, string>): Promise<R>;
  /** The status and `Location` of a response. */
  probe(response: R): RedirectProbe;
  /** Drops the body of a redirect response that is followed. */
  discard(response: R): void;
}

/**
 * Sends a request and follows up to `maxRedirects` redirects (`followRedirect` decides which
 * responses redirect and which headers survive); every hop goes through `hops.send`, so the
 * caller's outbound checks apply to each. Resolves with the last response and its URL. `start`
 * must be http(s) (callers check it first, with the error class their callers classify); every
 * later hop is, since `followRedirect` refuses any other protocol.
 */
export async function requestFollowingRedirects<R>(
  start: URL,
  headers: Readonly<Record<string, string>>,
  maxRedirects: number,
  hops: RedirectHops<R>,
): Promise<{ response: R; url: URL }> {
  let current = start;
  let hdrs: Record<string, string> = { ...headers };
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:')
      throw new TypeError(`unsupported protocol ${current.protocol}`);
    const response = await hops.send(current, hdrs);
    const { status, location } = hops.probe(response);
    const next = hop < maxRedirects ? followRedirect(current, status, location, hdrs) : null;
    if (next === null) return { response, url: current };
    hops.discard(response);
    current = next.url;
    hdrs = next.headers;
  }
}
