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
