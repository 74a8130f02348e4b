/**
 * A build that no registered worker can run — no worker serves its GPU type, or none has enough
 * GPUs — fails after the wait limit instead of staying `queued` forever; the limit counts only an
 * unbroken stretch without a capable worker, and its flow leaves the queues.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { buildQueueName } from '../../../orchestrator/queue/job-catalog.js';
import { WorkerRegistry } from '../../../orchestrator/records/worker-registry.js';
import type { WorkerRecord } from '../../../orchestrator/records/worker-registry.js';
import { REDIS_URL, cleanupPrefix, fixturePlan, uniquePrefix } from './fixtures.js';

const prefix = uniquePrefix('unserved');
const LIMIT = 60_000;
let redis: Redis;
let bq: BuildQueue;
let clock = Date.parse('2026-11-29T12:00:00Z');
let registry: WorkerRegistry;

/** One sweep; the ids it failed because no registered worker can run them. */
async function unserved(): Promise<string[]> {
  return (await bq.sweep({ unservedLimitMs: LIMIT })).unserved;
}

function record(name: string, gpuType: string, gpus: number): WorkerRecord {
  const gpuIds = Array.from({ length: gpus }, (_, i) => String(i));
  return {
    name,
    host: 'h',
    gpuType,
    io: false,
    gpuIds,
    holders: Object.fromEntries(gpuIds.map((g) => [g, null])),
    lastHeartbeat: clock,
  };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => clock);
  registry = new WorkerRegistry(redis, bq.store.keys);
  await registry.beat(record('small-l40s', 'L40S', 2), 600_000);
});

afterAll(async () => {
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function jobsOf(id: string, gpuQueue: string): Promise<(string | undefined)[]> {
  return Promise.all([
    bq.queue('io').getJob(`${id}-fetch`),
    bq.queue(gpuQueue).getJob(id),
    bq.queue('io').getJob(`${id}-publish`),
  ]).then((jobs) => jobs.map((j) => j?.id));
}

describe('builds no worker can run', () => {
  it('fail after an unbroken wait limit, with the reason, and leave the queues', async () => {
    const tooBig = (await bq.submit(fixturePlan('unserved-big', 'L40S', 4), null)).build.id;
    const noType = (await bq.submit(fixturePlan('unserved-type', 'GB300', 1), null)).build.id;
    const fits = (await bq.submit(fixturePlan('unserved-fits', 'L40S', 2), null)).build.id;
    expect(await jobsOf(tooBig, buildQueueName('L40S'))).toEqual([`${tooBig}-fetch`, tooBig, `${tooBig}-publish`]);

    expect(await unserved()).toEqual([]); // the clock starts
    clock += LIMIT - 1;
    expect(await unserved()).toEqual([]);
    clock += 1;
    expect((await unserved()).sort()).toEqual([tooBig, noType].sort());

    const big = await bq.store.get(tooBig);
    expect(big?.status).toBe('failed');
    expect(big?.error).toEqual({
      code: 'GPU_COUNT_UNAVAILABLE',
      message: 'waiting for 4×L40S: no registered worker has that many (for 60 s)',
      advice: 'add a worker with enough GPUs of this type, or lower the GPU count',
    });
    expect(big?.steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    const type = await bq.store.get(noType);
    expect(type?.error?.code).toBe('GPU_WAIT_EXPIRED');
    expect(type?.error?.message).toBe('waiting for 1×GB300: no registered worker serves GB300 (for 60 s)');
    // Their flows are gone from every queue; the build a worker can run is untouched.
    expect(await jobsOf(tooBig, buildQueueName('L40S'))).toEqual([undefined, undefined, undefined]);
    expect(await jobsOf(noType, buildQueueName('GB300'))).toEqual([undefined, undefined, undefined]);
    expect((await bq.store.get(fits))?.status).toBe('queued');
    expect(await jobsOf(fits, buildQueueName('L40S'))).toEqual([`${fits}-fetch`, fits, `${fits}-publish`]);
    // A resubmission after the failure is a new build (and waits again).
    const again = await bq.submit(fixturePlan('unserved-big', 'L40S', 4), null);
    expect(again.created).toBe(true);
    expect(again.build.id).toBe(tooBig.replace(/-1$/, '-2'));
  });

  it('restarts the clock when a capable worker shows up in between', async () => {
    const id = (await bq.submit(fixturePlan('unserved-interrupted', 'L40S', 8), null)).build.id;
    expect(await unserved()).not.toContain(id); // unserved since now
    clock += LIMIT / 2;
    await registry.beat(record('big-l40s', 'L40S', 8), 600_000);
    expect(await unserved()).not.toContain(id); // served: clock cleared
    clock += LIMIT / 2;
    await registry.remove('big-l40s');
    expect(await unserved()).not.toContain(id); // unserved again, since now
    clock += LIMIT - 1;
    expect(await unserved()).not.toContain(id);
    expect((await bq.store.get(id))?.status).toBe('queued');
    clock += 1;
    expect(await unserved()).toContain(id);
    expect((await bq.store.get(id))?.status).toBe('failed');
  });
});
