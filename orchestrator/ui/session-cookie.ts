/**
 * The operator session cookie: a short-lived, scoped, stateless credential that a browser sends on
 * navigation (where it cannot send a bearer header), e.g. to open Bull Board. `POST /ui/session`
 * with a valid bearer token issues it; it is HttpOnly, SameSite=Strict and limited to one path.
 *
 * Value: `v1.<expiresAtMs>.<signature>`, signature = HMAC-SHA256 under a key derived from the
 * token that issued it, over the scope and the expiry. Nothing is stored server-side; any API
 * process with the same tokens accepts it, and removing a token from the configuration revokes
 * every cookie it issued. The token itself never appears in the cookie.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'trt_ui_session';
/** How long an issued cookie is accepted (15 minutes). */
export const SESSION_TTL_MS = 15 * 60 * 1000;

export interface SessionCookies {
  /** The cookie value for a request authenticated with `token` (must be a configured token). */
  issue(token: string): { readonly value: string; readonly maxAgeSeconds: number };
  /** Whether a `Cookie` header carries a valid, unexpired session cookie for this scope. */
  accepts(cookieHeader: string | undefined): boolean;
}

const keyOf = (token: string): Buffer => createHash('sha256').update(`trt-ui-session\0${token}`, 'utf8').digest();
const sign = (key: Buffer, scope: string, expiresAt: number): Buffer =>
  createHmac('sha256', key).update(`${scope}|${expiresAt}`).digest();

/** Reads one cookie's value from a `Cookie` header (null when absent or repeated). */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  const found = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  // Two cookies with our name (e.g. one planted for a wider path) are refused rather than guessed.
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** Session cookies for `scope` (e.g. `bull-board`) over the configured tokens; `now` in ms. */
export function sessionCookies(
  tokens: readonly string[],
  scope: string,
  now: () => number = Date.now,
  ttlMs = SESSION_TTL_MS,
): SessionCookies {
  const keys = tokens.filter((t) => t.length > 0).map(keyOf);
  return {
    issue(token) {
      const expiresAt = now() + ttlMs;
      const sig = sign(keyOf(token), scope, expiresAt).toString('base64url');
      return { value: `v1.${expiresAt}.${sig}`, maxAgeSeconds: Math.floor(ttlMs / 1000) };
    },
    accepts(cookieHeader) {
      const value = readCookie(cookieHeader, SESSION_COOKIE);
      const m = value === null ? null : /^v1\.([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
      if (!m) return false;
      const expiresAt = Number(m[1]);
      const t = now();
      // Expired, or further in the future than any cookie this service issues: refused.
      if (!(expiresAt > t && expiresAt <= t + ttlMs)) return false;
      const given = Buffer.from(m[2] ?? '', 'base64url');
      // Non-canonical base64url (the last character's two unused bits set) decodes to the same bytes: refused.
      if (given.length !== 32 || given.toString('base64url') !== m[2]) return false;
      let ok = false;
      // Every key is compared, whichever matches, so timing tells nothing about which token signed.
      for (const key of keys) ok = timingSafeEqual(sign(key, scope, expiresAt), given) || ok;
      return ok;
    },
  };
}

/** The `Set-Cookie` value for an issued session (`secure` when the request came over HTTPS). */
export function sessionSetCookie(value: string, maxAgeSeconds: number, path: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that removes the session cookie. */
export function sessionClearCookie(path: string, secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
