/**
 * A Redis connection and a BuildQueue under a unique key prefix, for tests that build the REST
 * app in-process; `close()` deletes every key under the prefix (only what the test created).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BuildQueue } from '../../orchestrator/queue/build-queue.js';

export interface TestQueue {
  readonly redis: Redis;
  readonly queue: BuildQueue;
  readonly prefix: string;
  close(): Promise<void>;
}

/** Deletes every key under `prefix`. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Connects to `REDIS_URL` (default local) and opens a queue under `t-<tag>-<random>`. */
export function openTestQueue(tag: string): TestQueue {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const prefix = `t-${tag}-${randomUUID().slice(0, 8)}`;
  const queue = new BuildQueue(redis, prefix, () => Date.now());
  return {
    redis,
    queue,
    prefix,
    async close() {
      await queue.close();
      await deleteKeysUnder(redis, prefix);
      redis.disconnect();
    },
  };
}
