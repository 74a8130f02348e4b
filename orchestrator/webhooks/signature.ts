/**
 * Webhook signatures, as Stripe does them: header `Trt-Signature: t=<unix seconds>,v1=<hex>` where
 * hex = HMAC-SHA256(secret, `${t}.${body}`). Receivers recompute it over the raw body, compare in
 * constant time, and reject stale timestamps (replays). Pure apart from node:crypto.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'trt-signature';
export const EVENT_ID_HEADER = 'trt-event-id';
export const EVENT_HEADER = 'trt-event';

/** The hex HMAC-SHA256 of `${t}.${body}`. */
export function signPayload(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
}

/** The `Trt-Signature` value for `body` sent at `t` (unix seconds). */
export function signatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${signPayload(secret, t, body)}`;
}

export type VerifyOutcome =
  | { readonly ok: true; readonly t: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks a `Trt-Signature` header against the raw body. Any `v1=` entry may match (several are
 * sent while a secret is rotated). `toleranceSec` (default 300) bounds the clock difference.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSec: number,
  toleranceSec = 300,
): VerifyOutcome {
  if (!header || header.length > 2048) return { ok: false, reason: 'malformed' };
  let t: number | null = null;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) sigs.push(v);
  }
  if (t === null || sigs.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSec - t) > toleranceSec) return { ok: false, reason: 'stale' };
  const want = Buffer.from(signPayload(secret, t, body), 'hex');
  let ok = false;
  for (const s of sigs) ok = timingSafeEqual(want, Buffer.from(s, 'hex')) || ok;
  return ok ? { ok: true, t } : { ok: false, reason: 'mismatch' };
}
