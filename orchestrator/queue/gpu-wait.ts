/**
 * Builds waiting for GPUs: a sorted set per GPU type of `<buildId>|<gpuCount>` by the time each
 * started waiting. A waiting build job sleeps as a delayed job and is promoted when a device is
 * released (no timer polls); the oldest waiter that fits a host goes first, so a stream of small
 * builds cannot starve a large one.
 */
import type { Queue } from 'bullmq';
import type { RedisClient } from './redis-keys.js';
import type { RedisKeys } from './redis-keys.js';

interface Waiter {
  readonly id: string;
  readonly count: number;
  readonly since: number;
}

/** The GPU wait list of one GPU type. */
export class GpuWaitList {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
    gpuType: string,
    private readonly queue: Queue,
  ) {
    this.key = keys.gpuWait(gpuType);
  }

  /** Adds the build (keeps its first wait time); returns when it started waiting. */
  async enter(id: string, count: number, nowMs: number): Promise<number> {
    const member = `${id}|${count}`;
    await this.redis.zadd(this.key, 'NX', nowMs, member);
    const score = await this.redis.zscore(this.key, member);
    return Number(score ?? nowMs);
  }

  /** When the build started waiting, or null when it is not waiting. */
  async since(id: string, count: number): Promise<number | null> {
    const score = await this.redis.zscore(this.key, `${id}|${count}`);
    return score === null ? null : Number(score);
  }

  /** Removes the build from the list. */
  async leave(id: string, count: number): Promise<void> {
    await this.redis.zrem(this.key, `${id}|${count}`);
  }

  /** True when an older waiter (other than `id`) that fits a host of `hostDevices` GPUs is waiting. */
  async olderWaiterFits(id: string, hostDevices: number, sinceMs: number): Promise<boolean> {
    return (await this.waiters()).some((w) => w.id !== id && w.since < sinceMs && w.count <= hostDevices);
  }

  /** Promotes every waiting build job so it tries again (called when devices are released). */
  async wake(): Promise<void> {
    for (const w of await this.waiters()) {
      const job = await this.queue.getJob(w.id);
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }
  }

  private async waiters(): Promise<Waiter[]> {
    const flat = await this.redis.zrange(this.key, '0', '-1', 'WITHSCORES');
    const out: Waiter[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [id, count] = (flat[i] as string).split('|');
      out.push({ id: id ?? '', count: Number(count), since: Number(flat[i + 1]) });
    }
    return out;
  }
}
