/**
 * The operator session cookie: issued for a configured token, accepted until it expires, refused
 * when tampered with, expired, from the future, for another scope, signed by a removed token, or
 * repeated; the token never appears in it; Set-Cookie attributes are HttpOnly, SameSite=Strict,
 * path-scoped, Secure on HTTPS.
 */
import { describe, expect, it } from 'vitest';
import {
  SESSION_COOKIE,
  SESSION_TTL_MS,
  readCookie,
  sessionClearCookie,
  sessionCookies,
  sessionSetCookie,
} from '../../../orchestrator/ui/session-cookie.js';

const A = 'token-alpha-0123456789';
const B = 'token-bravo-9876543210';
const T0 = 1_800_000_000_000;

function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
const header = (value: string): string => `other=1; ${SESSION_COOKIE}=${value}; theme=dark`;

describe('sessionCookies', () => {
  it('issues a value that holds the expiry and a signature, never the token', () => {
    const c = clock();
    const issued = sessionCookies([A, B], 'bull-board', c.now).issue(A);
    expect(issued.maxAgeSeconds).toBe(SESSION_TTL_MS / 1000);
    expect(issued.value).toMatch(new RegExp(`^v1\\.${T0 + SESSION_TTL_MS}\\.[A-Za-z0-9_-]{43}$`));
    expect(issued.value).not.toContain(A);
  });

  it('accepts its cookie until the expiry, and not one millisecond after', () => {
    const c = clock();
    const s = sessionCookies([A, B], 'bull-board', c.now);
    const { value } = s.issue(B);
    expect(s.accepts(header(value))).toBe(true);
    c.advance(SESSION_TTL_MS - 1);
    expect(s.accepts(header(value))).toBe(true);
    c.advance(1);
    expect(s.accepts(header(value))).toBe(false);
  });

  it('is accepted by another process with the same tokens, and revoked when its token is removed', () => {
    const c = clock();
    const { value } = sessionCookies([A, B], 'bull-board', c.now).issue(A);
    expect(sessionCookies([B, A], 'bull-board', c.now).accepts(header(value))).toBe(true);
    expect(sessionCookies([B], 'bull-board', c.now).accepts(header(value))).toBe(false);
    expect(sessionCookies([], 'bull-board', c.now).accepts(header(value))).toBe(false);
  });

  it('refuses another scope, a changed expiry or signature, a future expiry, duplicates and junk', () => {
    const c = clock();
    const s = sessionCookies([A], 'bull-board', c.now);
    const { value } = s.issue(A);
    const [, exp, sig] = value.split('.') as [string, string, string];
    expect(sessionCookies([A], 'other-scope', c.now).accepts(header(value))).toBe(false);
    expect(s.accepts(header(`v1.${Number(exp) + 1}.${sig}`))).toBe(false);
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expect(s.accepts(header(`v1.${exp}.${flipped}`))).toBe(false);
    // A cookie signed with a valid key but valid for longer than the service ever issues.
    const later = sessionCookies([A], 'bull-board', () => T0 + 60_000).issue(A).value;
    expect(s.accepts(header(later))).toBe(false);
    expect(s.accepts(`${header(value)}; ${SESSION_COOKIE}=${value}`)).toBe(false);
    for (const bad of ['', 'v1', `v2.${exp}.${sig}`, `v1.${exp}.${sig}=`, `v1.-5.${sig}`, `v1.${exp}.${sig}.x`])
      expect(s.accepts(header(bad))).toBe(false);
    expect(s.accepts(undefined)).toBe(false);
    expect(s.accepts('x'.repeat(9000))).toBe(false);
  });

  it('refuses a signature whose last character differs only in the unused bits (same bytes, other text)', () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const s = sessionCookies([A], 'bull-board', clock().now);
    const [, exp, sig] = s.issue(A).value.split('.') as [string, string, string];
    const last = ALPHABET.indexOf(sig.slice(-1));
    // 43 characters carry 258 bits for a 256-bit MAC: the last character's two low bits are ignored by decoders.
    for (let low = 1; low < 4; low++) {
      const twin = `${sig.slice(0, -1)}${ALPHABET[(last & ~3) | ((last + low) & 3)]}`;
      expect(Buffer.from(twin, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
      expect(s.accepts(header(`v1.${exp}.${twin}`))).toBe(false);
    }
  });
});

describe('cookie headers', () => {
  it('reads exactly one named cookie', () => {
    expect(readCookie('a=1; b=2', 'b')).toBe('2');
    expect(readCookie('a=1; ab=2', 'b')).toBeNull();
    expect(readCookie('b=1; b=2', 'b')).toBeNull();
    expect(readCookie(undefined, 'b')).toBeNull();
  });

  it('sets HttpOnly, SameSite=Strict, a path and a max-age; Secure only over HTTPS', () => {
    expect(sessionSetCookie('v', 900, '/admin/queues', false)).toBe(
      `${SESSION_COOKIE}=v; Path=/admin/queues; Max-Age=900; HttpOnly; SameSite=Strict`,
    );
    expect(sessionSetCookie('v', 900, '/admin/queues', true)).toMatch(/; Secure$/);
    expect(sessionClearCookie('/admin/queues', false)).toBe(
      `${SESSION_COOKIE}=; Path=/admin/queues; Max-Age=0; HttpOnly; SameSite=Strict`,
    );
  });
});
