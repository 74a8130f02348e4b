/**
 * Bearer-token check in constant time: every configured token is compared (as sha256 digests of
 * equal length) whatever matches, so timing does not reveal a token or a prefix of one. The
 * scheme name is matched case-insensitively (`bearer`, `BEARER`), as HTTP requires.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Builds a checker for an `Authorization` header value against the configured tokens. */
export function bearerChecker(tokens: readonly string[]): (header: string | undefined) => boolean {
  const digests = tokens.filter((t) => t.length > 0).map(digest);
  return (header) => {
    // The auth scheme is case-insensitive (RFC 9110 §11.1); one or more spaces before the token.
    const m = /^bearer +([\x21-\x7e]{1,512})$/i.exec(header ?? '');
    const given = digest(m?.[1] ?? '');
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    return ok && m !== null;
  };
}
