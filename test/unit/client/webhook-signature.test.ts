/** Webhook signatures (what receivers verify) and webhook settings from the environment. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../../../orchestrator/webhooks/signature.js';
import { parseWebhookSettings } from '../../../orchestrator/webhooks/webhook-settings.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"id":"abc-1:running","type":"build.running"}';

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "t.body", hex, in a t=…,v1=… header', () => {
    const hex = createHmac('sha256', SECRET).update(`1700000000.${BODY}`).digest('hex');
    expect(signatureHeader(SECRET, 1700000000, BODY)).toBe(`t=1700000000,v1=${hex}`);
  });

  it('accepts a fresh matching signature (any v1 entry) and rejects the rest with a reason', () => {
    const h = signatureHeader(SECRET, 1000, BODY);
    expect(verifySignature(h, BODY, SECRET, 1100)).toEqual({ ok: true, t: 1000 });
    expect(verifySignature(`t=1000,v1=${'0'.repeat(64)},${h.split(',')[1] ?? ''}`, BODY, SECRET, 1000)).toEqual({
      ok: true,
      t: 1000,
    });
    expect(verifySignature(h, `${BODY} `, SECRET, 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(h, BODY, 'another-secret-value', 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(h, BODY, SECRET, 1000 + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(undefined, BODY, SECRET, 1000)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature('t=abc,v1=zz', BODY, SECRET, 1000)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('webhook settings', () => {
  it('is off without WEBHOOK_SECRET, parses the rest with defaults', () => {
    expect(parseWebhookSettings({})).toEqual({ ok: true, settings: null });
    const r = parseWebhookSettings({ WEBHOOK_SECRET: SECRET, WEBHOOK_URLS: 'https://a.example/h, http://b.example/x' });
    expect(r).toEqual({
      ok: true,
      settings: {
        urls: ['https://a.example/h', 'http://b.example/x'],
        secret: SECRET,
        maxAttempts: 8,
        backoffMs: 2000,
        timeoutMs: 10_000,
      },
    });
  });

  it('reports every problem without the secret or a URL credential', () => {
    const r = parseWebhookSettings({
      WEBHOOK_SECRET: 'short-secret',
      WEBHOOK_URLS: 'ftp://u:pw@x.example/?k=v',
      WEBHOOK_MAX_ATTEMPTS: '0',
    });
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r);
    expect(text).toContain('WEBHOOK_MAX_ATTEMPTS');
    const r2 = parseWebhookSettings({ WEBHOOK_SECRET: 'short-secret', WEBHOOK_URLS: 'ftp://u:pw@x.example/?k=v' });
    expect(r2).toEqual({
      ok: false,
      errors: [
        'WEBHOOK_URLS: "ftp://x.example/?k=REDACTED" is not an http(s) URL',
        'WEBHOOK_SECRET: must have at least 16 characters',
      ],
    });
    expect(JSON.stringify(r2)).not.toContain('short-secret');
    expect(JSON.stringify(r2)).not.toContain('pw');
    expect(parseWebhookSettings({ WEBHOOK_URLS: 'https://a.example/h' })).toEqual({
      ok: false,
      errors: ['WEBHOOK_SECRET: set it (at least 16 characters) to sign the deliveries to WEBHOOK_URLS'],
    });
  });
});
