/**
 * The webhook delivery queue: one BullMQ job per (status event, target), carrying a per-(build,
 * target) sequence number so the delivery worker keeps each build's events in order. Job data
 * holds no secret: a per-build callback is named by reference (`callback`) and its URL read at
 * delivery time; configured endpoints by index.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BuildView } from '../records/build-view.js';
import type { StatusEvent, StatusEventKind, StatusListener } from '../records/status-events.js';
import type { DeliveryLog } from './delivery-log.js';
import type { WebhookSettings } from './webhook-settings.js';

export const WEBHOOK_QUEUE = 'webhooks';

export interface DeliveryJobData {
  readonly eventId: string;
  readonly buildId: string;
  readonly status: StatusEventKind;
  readonly at: number;
  readonly build: BuildView;
  /** `callback`, or `config-<index into WEBHOOK_URLS>`. */
  readonly target: string;
  /** 1, 2, … per (build, target), in event order. */
  readonly seq: number;
}

/** The delivery queue on the service's Redis and prefix. */
export function webhookQueue(connection: Redis, prefix: string): Queue<DeliveryJobData> {
  return new Queue<DeliveryJobData>(WEBHOOK_QUEUE, { connection, prefix });
}

/**
 * The StatusListener that turns status events into delivery jobs (one per configured endpoint,
 * plus one for the build's callback URL). Quick (enqueue only); logs and swallows its failures.
 */
export function webhookListener(
  queue: Queue<DeliveryJobData>,
  log: DeliveryLog,
  settings: Pick<WebhookSettings, 'urls' | 'maxAttempts' | 'backoffMs'>,
  warn: (msg: string) => void = () => undefined,
): StatusListener {
  return async (event: StatusEvent) => {
    const targets = [...settings.urls.map((_, i) => `config-${i}`), ...(event.callbackUrl ? ['callback'] : [])];
    for (const target of targets) {
      try {
        const jobId = `${event.buildId}.${event.status}.${target}`;
        if (await queue.getJob(jobId)) continue; // the same event again (a re-announced status): one delivery job is enough
        const seq = await log.nextSeq(event.buildId, target);
        await queue.add(
          'deliver',
          {
            eventId: event.eventId,
            buildId: event.buildId,
            status: event.status,
            at: event.at,
            build: event.build,
            target,
            seq,
          },
          {
            jobId,
            attempts: settings.maxAttempts,
            backoff: { type: 'exponential', delay: settings.backoffMs },
            removeOnComplete: { count: 1000 },
            removeOnFail: { count: 1000 },
          },
        );
      } catch (err) {
        warn(`webhook not enqueued for ${event.eventId} (${target}): ${err instanceof Error ? err.message : 'error'}`);
      }
    }
  };
}
