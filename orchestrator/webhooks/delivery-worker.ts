/**
 * The webhook delivery worker: POSTs each event's build view, signed (`Trt-Signature: t=…,v1=…`),
 * to its target; records every attempt; retries failures with BullMQ's exponential backoff; gives
 * up after the configured attempts. Events of one (build, target) are delivered in order: a job
 * whose predecessor has not finished is put back (delayed) without spending an attempt.
 */
import { DelayedError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { redactUrl } from '../config/redact-url.js';
import type { OutboundPolicy } from '../net/address-policy.js';
import { withAllowed } from '../net/address-policy.js';
import { redisKeys } from '../records/redis-keys.js';
import type { DeliveryLog, WebhookAttemptT } from './delivery-log.js';
import { postWebhook } from './post-webhook.js';
import type { PostResult } from './post-webhook.js';
import { EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { WEBHOOK_QUEUE } from './webhook-queue.js';
import type { DeliveryJobData } from './webhook-queue.js';
import type { WebhookSettings } from './webhook-settings.js';

export interface DeliveryDeps {
  readonly connection: Redis;
  readonly prefix: string;
  readonly settings: WebhookSettings;
  readonly log: DeliveryLog;
  /** The outbound-address policy callback URLs obey (configured endpoints' hosts are allowed on top). */
  readonly policy: OutboundPolicy;
  readonly now: () => number;
  /** A build's callback URL (default: read from its record). */
  readonly callbackUrlOf?: (buildId: string) => Promise<string | null>;
  /** Recheck interval of a job waiting for its predecessor (default 250 ms). */
  readonly orderPollMs?: number;
  /** After this long a job stops waiting for a predecessor that never finished (default 15 min). */
  readonly orderWaitMaxMs?: number;
  readonly concurrency?: number;
  readonly post?: typeof postWebhook;
}

/** The JSON body receivers get. */
export function deliveryBody(d: DeliveryJobData): string {
  return JSON.stringify({
    id: d.eventId,
    type: `build.${d.status}`,
    createdAt: new Date(d.at).toISOString(),
    data: { build: d.build },
  });
}

/** Starts the delivery worker; close it with `worker.close()`. */
export function startDeliveryWorker(d: DeliveryDeps): Worker<DeliveryJobData> {
  const keys = redisKeys(d.prefix);
  const callbackUrlOf =
    d.callbackUrlOf ?? (async (id: string) => (await d.connection.hget(keys.build(id), 'callbackUrl')) || null);
  const post = d.post ?? postWebhook;
  const process = async (job: Job<DeliveryJobData>, token?: string): Promise<void> => {
    const data = job.data;
    const done = await d.log.doneSeq(data.buildId, data.target);
    if (data.seq <= done) return; // already finished (a duplicate run)
    if (data.seq > done + 1 && d.now() - job.timestamp < (d.orderWaitMaxMs ?? 15 * 60_000)) {
      await job.moveToDelayed(d.now() + (d.orderPollMs ?? 250), token);
      throw new DelayedError();
    }
    const configured = data.target.startsWith('config-')
      ? d.settings.urls[Number(data.target.slice('config-'.length))]
      : undefined;
    const url = configured ?? (data.target === 'callback' ? await callbackUrlOf(data.buildId) : null);
    const attempt = job.attemptsMade + 1;
    const rec = (outcome: WebhookAttemptT['outcome'], httpStatus: number | null, error: string | null): Promise<void> =>
      d.log.record(data.buildId, {
        eventId: data.eventId,
        event: data.status,
        target: url ? redactUrl(url) : data.target,
        attempt,
        at: new Date(d.now()).toISOString(),
        outcome,
        httpStatus,
        error,
      });
    if (!url) {
      await rec('gave_up', null, 'the target is no longer configured');
      await d.log.finish(data.buildId, data.target, data.seq);
      return;
    }
    const policy = configured ? withAllowed(d.policy, [new URL(configured).hostname]) : d.policy;
    const body = deliveryBody(data);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'trt-orchestrator-webhooks/1',
      [EVENT_ID_HEADER]: data.eventId,
      [EVENT_HEADER]: data.status,
      [SIGNATURE_HEADER]: signatureHeader(d.settings.secret, Math.floor(d.now() / 1000), body),
    };
    const r: PostResult = await post(policy, url, headers, body, d.settings.timeoutMs);
    if (r.kind === 'answered' && r.status >= 200 && r.status < 300) {
      await rec('delivered', r.status, null);
      await d.log.finish(data.buildId, data.target, data.seq);
      return;
    }
    if (r.kind === 'refused') {
      await rec('refused', null, r.reason);
      await d.log.finish(data.buildId, data.target, data.seq);
      return;
    }
    const last = attempt >= (job.opts.attempts ?? 1);
    const why = r.kind === 'answered' ? `HTTP ${r.status}` : r.reason;
    await rec(last ? 'gave_up' : 'failed', r.kind === 'answered' ? r.status : null, why);
    if (last) await d.log.finish(data.buildId, data.target, data.seq);
    throw new Error(`delivery failed: ${why}`);
  };
  return new Worker<DeliveryJobData>(WEBHOOK_QUEUE, process, {
    connection: d.connection,
    prefix: d.prefix,
    concurrency: d.concurrency ?? 4,
  });
}
