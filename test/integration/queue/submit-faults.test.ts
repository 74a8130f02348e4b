/**
 * Submission cannot wedge a plan: every command of a submit is made to fail in turn (a write that
 * never reached Redis, or a transaction discarded on the server: the API process stopping between
 * the build record and the flow), then the same plan is submitted again. Each time the result is a
 * complete build (record + BullMQ job, cancellable) or nothing, and the resubmission succeeds. A
 * record left without a flow is repaired by the API's sweep too.
 */
import type { Command } from 'ioredis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { buildQueueName, fetchJobId } from '../../../orchestrator/queue/job-catalog.js';
import { REDIS_URL, cleanupPrefix, fixturePlan, uniquePrefix } from './fixtures.js';

const prefix = uniquePrefix('subfault');
let redis: Redis;
let faulty: Redis;
let bq: BuildQueue;
let check: BuildQueue;
const fault = { n: 0, failAt: -1, names: [] as string[] };

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  faulty = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const send = faulty.sendCommand.bind(faulty);
  let poison = false;
  faulty.sendCommand = (cmd: Command, ...rest: unknown[]) => {
    const pass = (): unknown => (send as (...a: unknown[]) => unknown)(cmd, ...rest);
    // Commands queued inside MULTI are one write with their MULTI: failing it poisons the first
    // queued command, so Redis aborts the whole transaction at EXEC (EXECABORT), as a failed
    // flow.add does; nothing of it is written.
    if (cmd.name === 'exec') return pass();
    if (cmd.inTransaction && cmd.name !== 'multi') {
      if (poison) {
        poison = false;
        cmd.name = 'trt-injected-failure';
      }
      return pass();
    }
    fault.n += 1;
    fault.names.push(cmd.name);
    if (fault.n === fault.failAt) {
      if (cmd.name === 'multi') poison = true;
      else {
        cmd.reject(new Error(`injected failure of ${cmd.name}`));
        return cmd.promise;
      }
    }
    return pass();
  };
  bq = new BuildQueue(faulty, prefix, () => Date.now());
  check = new BuildQueue(redis, prefix, () => Date.now());
});

afterAll(async () => {
  await bq.close();
  await check.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  faulty.disconnect();
});

/** The build of this plan is complete: record queued, build job and fetch child in their queues. */
/** One sweep; the ids whose missing flow it added. */
async function enqueued(): Promise<string[]> {
  return (await check.sweep({ unservedLimitMs: 3_600_000, graceMs: 60_000 })).enqueued;
}

async function expectComplete(id: string): Promise<void> {
  const view = await check.store.get(id);
  expect(view?.status).toBe('queued');
  expect(await check.queue(buildQueueName('B10')).getJob(id)).toBeDefined();
  expect(await check.queue('io').getJob(fetchJobId(id))).toBeDefined();
}

describe('submit under injected failures', () => {
  it('leaves a complete build or nothing, whichever command fails, and a resubmission succeeds', async () => {
    // A clean submit, to learn its commands.
    fault.n = 0;
    fault.names = [];
    fault.failAt = -1;
    const clean = await bq.submit(fixturePlan('fault-clean', 'B10'), null);
    await expectComplete(clean.build.id);
    const count = fault.n;
    expect(fault.names).toContain('evalsha'); // the claim script
    expect(fault.names).toContain('multi'); // the flow (one transaction)
    expect(count).toBeGreaterThanOrEqual(4);

    for (let i = 1; i <= count; i++) {
      const plan = fixturePlan(`fault-${i}`, 'B10');
      fault.n = 0;
      fault.failAt = i;
      const first = await bq.submit(plan, null).then(
        (r) => r,
        (err: unknown) => err as Error,
      );
      fault.failAt = -1;
      if (!(first instanceof Error)) await expectComplete(first.build.id);
      const again = await bq.submit(plan, null);
      expect(again.build.status, `failing command ${i} (${fault.names[i - 1] ?? '?'})`).toBe('queued');
      if (!(first instanceof Error)) expect(again.build.id).toBe(first.build.id);
      await expectComplete(again.build.id);
      // Complete means cancellable: the job leaves the queue and the build is cancelled.
      const c = await check.cancel(again.build.id);
      expect(c.kind).toBe('cancelled');
      expect(await check.queue(buildQueueName('B10')).getJob(again.build.id)).toBeUndefined();
    }
  });

  it('cancels a queued build whose flow is missing instead of answering 202 and changing nothing', async () => {
    const plan = fixturePlan('fault-orphan-cancel', 'B10');
    const { id } = await check.store.claim(plan, Date.now(), null); // the record only: the flow never came
    const c = await check.cancel(id);
    expect(c.kind).toBe('cancelled');
    expect((await check.store.get(id))?.status).toBe('cancelled');
  });

  it('the sweep adds the flow of a queued build that has none', async () => {
    const plan = fixturePlan('fault-orphan-reconcile', 'B10');
    const { id } = await check.store.claim(plan, Date.now() - 120_000, null);
    expect(await check.queue(buildQueueName('B10')).getJob(id)).toBeUndefined();
    expect(await enqueued()).toContain(id);
    await expectComplete(id);
    expect(await enqueued()).not.toContain(id);
    await check.cancel(id);
  });
});
