/**
 * Webhook bookkeeping in Redis, under the service prefix: the delivery attempts of each build
 * (shown by `GET /v1/builds/:id/webhooks`, newest 200 kept, expiring with the build's retention)
 * and the per-(build, target) sequence numbers that keep deliveries in order.
 */
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { WebhookAttempt } from './attempt-schema.js';
import { redisKeys } from '../records/redis-keys.js';

export type WebhookAttemptT = z.infer<typeof WebhookAttempt>;

const KEEP = 200;
const TTL_S = 30 * 24 * 3600;

/** Reads and writes the webhook records of one service prefix. */
export class DeliveryLog {
  private readonly base: string;

  /** `prefix`: the service's Redis prefix (REDIS_PREFIX). */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.base = `${redisKeys(prefix).base}webhooks:`;
  }

  /** The log under a build store's key base (`<prefix>:svc:`). */
  static atBase(redis: Redis, storeBase: string): DeliveryLog {
    const log = new DeliveryLog(redis, '');
    (log as unknown as { base: string }).base = `${storeBase}webhooks:`;
    return log;
  }

  private attemptsKey(buildId: string): string {
    return `${this.base}${buildId}:attempts`;
  }

  private seqKey(buildId: string, target: string, kind: 'next' | 'done'): string {
    return `${this.base}${buildId}:${kind}:${target}`;
  }

  /** Appends one attempt (trimmed to the newest 200). */
  async record(buildId: string, attempt: WebhookAttemptT): Promise<void> {
    const key = this.attemptsKey(buildId);
    await this.redis.multi().rpush(key, JSON.stringify(attempt)).ltrim(key, -KEEP, -1).expire(key, TTL_S).exec();
  }

  /** Attempts of a build, oldest first (malformed entries skipped). */
  async attempts(buildId: string): Promise<WebhookAttemptT[]> {
    const raw = await this.redis.lrange(this.attemptsKey(buildId), 0, -1);
    return raw.flatMap((r) => {
      try {
        const p = WebhookAttempt.safeParse(JSON.parse(r));
        return p.success ? [p.data] : [];
      } catch {
        return [];
      }
    });
  }

  /** The next sequence number of (build, target): 1, 2, … */
  async nextSeq(buildId: string, target: string): Promise<number> {
    const key = this.seqKey(buildId, target, 'next');
    const [[, n]] = (await this.redis.multi().incr(key).expire(key, TTL_S).exec()) as [[Error | null, number]];
    return n;
  }

  /** The last sequence number whose delivery finished (delivered or given up), 0 when none. */
  async doneSeq(buildId: string, target: string): Promise<number> {
    return Number((await this.redis.get(this.seqKey(buildId, target, 'done'))) ?? '0');
  }

  /** Marks `seq` finished (never moves backwards). */
  async finish(buildId: string, target: string, seq: number): Promise<void> {
    const key = this.seqKey(buildId, target, 'done');
    await this.redis.eval(
      "local c = tonumber(redis.call('GET', KEYS[1]) or '0'); if tonumber(ARGV[1]) > c then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end; return 1",
      1,
      key,
      String(seq),
      String(TTL_S),
    );
  }
}
