/**
 * A Redis connection and a BuildQueue under a unique key prefix, for tests that build the REST
 * app in-process; `close()` deletes every key under the prefix (only what the test created), with
 * the queue tests' own fixtures.
 */
import { Redis } from 'ioredis';
import { BuildQueue } from '../../orchestrator/queue/build-queue.js';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../integration/queue/fixtures.js';

export interface TestQueue {
  readonly redis: Redis;
  readonly queue: BuildQueue;
  readonly prefix: string;
  close(): Promise<void>;
}

/** Connects to `REDIS_URL` (default local) and opens a queue under a unique `t-<tag>-…` prefix. */
export function openTestQueue(tag: string): TestQueue {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = uniquePrefix(tag);
  const queue = new BuildQueue(redis, prefix, () => Date.now());
  return {
    redis,
    queue,
    prefix,
    async close() {
      await queue.close();
      await cleanupPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
