/**
 * Webhook settings from the environment (pure: the environment is passed in). Off unless
 * WEBHOOK_SECRET is set; messages never contain the secret or a configured URL's userinfo/query.
 */
import { z } from 'zod';
import { redactUrl } from '../config/redact-url.js';

export interface WebhookSettings {
  /** Operator-configured endpoints that receive every build's events. */
  readonly urls: readonly string[];
  /** HMAC-SHA256 key of the `Trt-Signature` header. */
  readonly secret: string;
  /** Deliveries per event and endpoint before giving up (BullMQ attempts). */
  readonly maxAttempts: number;
  /** First retry delay; doubles per attempt (BullMQ exponential backoff). */
  readonly backoffMs: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);
const Env = z.object({
  WEBHOOK_URLS: z.string().default(''),
  WEBHOOK_SECRET: z.string().optional(),
  WEBHOOK_MAX_ATTEMPTS: int(1, 50, 8),
  WEBHOOK_BACKOFF_MS: int(10, 3_600_000, 2000),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000, 10_000),
});

export type WebhookSettingsResult =
  | { readonly ok: true; readonly settings: WebhookSettings | null }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Parses the webhook variables; `settings` is null when webhooks are off (no WEBHOOK_SECRET). */
export function parseWebhookSettings(env: Readonly<Record<string, string | undefined>>): WebhookSettingsResult {
  const input: Record<string, string> = {};
  for (const k of Object.keys(Env.shape)) {
    const v = env[k];
    if (v !== undefined && v !== '') input[k] = v;
  }
  const parsed = Env.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map(
        (i) => `${i.path.join('.')}: ${i.path[0] === 'WEBHOOK_SECRET' ? 'invalid' : i.message}`,
      ),
    };
  const c = parsed.data;
  const urls = c.WEBHOOK_URLS.split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  const errors: string[] = [];
  for (const u of urls) {
    let url: URL | null = null;
    try {
      url = new URL(u);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      errors.push(`WEBHOOK_URLS: ${JSON.stringify(redactUrl(u).slice(0, 100))} is not an http(s) URL`);
  }
  if (c.WEBHOOK_SECRET === undefined) {
    if (urls.length > 0)
      errors.push('WEBHOOK_SECRET: set it (at least 16 characters) to sign the deliveries to WEBHOOK_URLS');
    return errors.length > 0 ? { ok: false, errors } : { ok: true, settings: null };
  }
  if (c.WEBHOOK_SECRET.length < 16) errors.push('WEBHOOK_SECRET: must have at least 16 characters');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: Object.freeze({
      urls,
      secret: c.WEBHOOK_SECRET,
      maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
      backoffMs: c.WEBHOOK_BACKOFF_MS,
      timeoutMs: c.WEBHOOK_TIMEOUT_MS,
    }),
  };
}
