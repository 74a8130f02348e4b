/**
 * Graceful worker shutdown in-process: a running fetch (or build step) past the grace period is
 * handed back to the queue, not cancelled, and the next worker finishes the build.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  fixturePlan,
  hangUntilAborted,
  instantScript,
  scriptedExecutor,
  uniquePrefix,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const prefix = uniquePrefix('shut');
let redis: Redis;
let bq: BuildQueue;
const live: ServiceWorker[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => Date.now());
});

afterAll(async () => {
  await Promise.all(live.map((w) => w.close(500)));
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

it('hands a running fetch back on shutdown; another worker completes the build', async () => {
  const fetching = await startWorker(
    fakeWorkerDeps(redis, prefix, {
      gpuType: null,
      io: true,
      fetchItems: (_items, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
    }),
  );
  const { build } = await bq.submit(fixturePlan('shutdown-fetch', 'H100'), null);
  await waitFor(
    () => bq.store.get(build.id),
    (b) => b?.steps[0]?.status === 'running',
    10_000,
    'fetch running',
  );
  await fetching.close(100);
  const back = await bq.store.get(build.id);
  expect(back?.status).toBe('queued');
  expect(back?.steps[0]).toMatchObject({ status: 'pending', attempts: 1 });
  expect(await (await bq.queue('io').getJob(`${build.id}-fetch`))?.getState()).toBe('waiting');

  const hang = await startWorker(
    fakeWorkerDeps(redis, prefix, {
      gpuType: 'H100',
      io: true,
      executor: scriptedExecutor((step, ctx, n) =>
        step.id === 'build' ? hangUntilAborted(ctx) : instantScript(step, ctx, n),
      ),
    }),
  );
  await waitFor(
    () => bq.store.get(build.id),
    (b) => b?.steps[2]?.status === 'running',
    10_000,
    'engine build running',
  );
  await hang.close(100);
  const again = await bq.store.get(build.id);
  expect(again?.status).toBe('queued');
  expect(again?.steps.map((s) => [s.status, s.attempts])).toEqual([
    ['succeeded', 2],
    ['succeeded', 1],
    ['pending', 1],
    ['pending', 0],
  ]);

  live.push(await startWorker(fakeWorkerDeps(redis, prefix, { gpuType: 'H100', io: true })));
  const done = await waitForStatus(bq.store, build.id, 'succeeded', 15_000);
  expect(done?.steps.map((s) => [s.status, s.attempts])).toEqual([
    ['succeeded', 2],
    ['succeeded', 1],
    ['succeeded', 2],
    ['succeeded', 1],
  ]);
});
