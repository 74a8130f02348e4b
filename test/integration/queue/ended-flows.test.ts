/**
 * BullMQ's job state is the truth the build record follows: when a build's flow ends in a failed
 * job that no processor of ours recorded (here a bare BullMQ worker fails the fetch job), the API's
 * sweep marks the build failed with the job's registry code — after a grace period, and never
 * while a job of the flow can still run.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import type { BuildJobData } from '../../../orchestrator/queue/job-catalog.js';
import { REDIS_URL, cleanupPrefix, fixturePlan, uniquePrefix, waitFor } from './fixtures.js';

const prefix = uniquePrefix('ended');
const GRACE = 60_000;
let redis: Redis;
let bq: BuildQueue;
let clock = Date.now();
/** One sweep; the ids it marked failed because their flow ended unrecorded. */
const settled = async (): Promise<string[]> => (await bq.sweep({ unservedLimitMs: 3_600_000, graceMs: GRACE })).settled;
let rogue: Worker<BuildJobData> | null = null;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => clock);
});

afterAll(async () => {
  await rogue?.close(true);
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('flows that ended without a record', () => {
  it('fail the build with the failed job’s code once the grace period passed', async () => {
    const open = (await bq.submit(fixturePlan('ended-open', 'A100'), null)).build.id;
    // A worker outside the service fails fetch jobs and writes nothing to the build records.
    rogue = new Worker<BuildJobData>(
      'io',
      (job) => {
        if (job.data.buildId === open) return new Promise(() => undefined); // stays active
        throw new UnrecoverableError('FETCH_FAILED');
      },
      { connection: redis, prefix, concurrency: 4 },
    );
    const plan = fixturePlan('ended-coded', 'A100');
    const coded = (await bq.submit(plan, null)).build.id;
    // The fetch job failed; BullMQ defers the GPU job's failure until a worker of its queue picks it
    // up, and none serves A100 here.
    const gpuJob = () => bq.queue('build-A100').getJob(coded);
    await waitFor(
      async () => (await gpuJob())?.deferredFailure ?? null,
      (f) => f !== null,
      10_000,
      'the GPU job doomed',
    );
    expect((await bq.store.get(coded))?.status).toBe('queued');

    expect(await settled()).toEqual([]); // within the grace period
    clock += GRACE + 1;
    expect(await settled()).toEqual([coded]);
    const failed = await bq.store.get(coded);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toEqual({
      code: 'FETCH_FAILED',
      message: "the build's fetch job failed without a record of it: FETCH_FAILED",
      advice: expect.any(String) as string,
    });
    expect(failed?.steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    // What was left of its flow left the queues.
    expect(await gpuJob()).toBeUndefined();
    expect(await bq.queue('io').getJob(`${coded}-publish`)).toBeUndefined();
    // The build whose fetch is still running is left alone, and a second sweep changes nothing.
    expect((await bq.store.get(open))?.status).toBe('queued');
    expect(await settled()).toEqual([]);
  });
});
