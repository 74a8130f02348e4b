/**
 * Webhooks for an entry point, from the environment (README "Webhooks"): the status listener that
 * enqueues deliveries (trt-api and trt-worker), and on workers the delivery worker. Invalid
 * settings print every problem (never a secret) and exit 2, like the service configuration.
 */
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { outboundPolicy } from '../net/address-policy.js';
import type { StatusListener } from '../records/status-events.js';
import { DeliveryLog } from './delivery-log.js';
import { startDeliveryWorker } from './delivery-worker.js';
import { webhookListener, webhookQueue } from './webhook-queue.js';
import { parseWebhookSettings } from './webhook-settings.js';

export interface WebhookRuntime {
  /** Pass as `statusListeners` (empty when webhooks are off). */
  readonly listeners: readonly StatusListener[];
  /** Stops the delivery worker (if any) and closes the queue. */
  close(): Promise<void>;
}

/** Builds the webhook runtime of `role`; exits 2 on invalid settings. */
export function webhooksOrExit(
  env: Readonly<Record<string, string | undefined>>,
  connection: Redis,
  prefix: string,
  role: 'api' | 'worker',
  warn: (msg: string) => void,
): WebhookRuntime {
  const r = parseWebhookSettings(env);
  if (!r.ok) {
    process.stderr.write(`trt-${role}: invalid webhook configuration\n${r.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    process.exit(2);
  }
  const settings = r.settings;
  if (settings === null) return { listeners: [], close: () => Promise.resolve() };
  const log = new DeliveryLog(connection, prefix);
  const queue = webhookQueue(connection, prefix);
  const allow = (env['OUTBOUND_ALLOW'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const worker: Worker | null =
    role === 'worker'
      ? startDeliveryWorker({ connection, prefix, settings, log, policy: outboundPolicy(allow), now: () => Date.now() })
      : null;
  return {
    listeners: [webhookListener(queue, log, settings, warn)],
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}
