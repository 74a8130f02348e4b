/**
 * A build is a flow of stages on the queues that suit them: fetch (io) → GPU steps (build-<GPU>) →
 * publish (io). GPUs and the GPU-queue slot are free while a build uploads; a plan without GPU
 * steps never enters a GPU queue; a final failure at any stage removes the stages after it, so no
 * job is left waiting in a queue (served or not) for a build that ended.
 */
import { describe, expect, it } from 'vitest';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import type { PublishInput } from '../../../orchestrator/queue/ports.js';
import { buildQueueName } from '../../../orchestrator/queue/job-catalog.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import { SourceError } from '../../../orchestrator/storage/sources/errors.js';
import {
  failure,
  fakeWorkerDeps,
  fixturePlan,
  instantScript,
  memoryAllocator,
  memoryPublisher,
  queueHarness,
  scriptedExecutor,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const h = queueHarness('stages');
const extra: ServiceWorker[] = [];

async function jobStates(buildId: string, gpuQueue: string): Promise<Record<string, string>> {
  const state = async (queue: string, jobId: string): Promise<string> =>
    (await (await h.bq.queue(queue).getJob(jobId))?.getState()) ?? 'absent';
  return {
    fetch: await state('io', `${buildId}-fetch`),
    build: await state(gpuQueue, buildId),
    publish: await state('io', `${buildId}-publish`),
  };
}

describe('build stages', () => {
  it('frees the GPU and the GPU-queue slot while a build publishes', async () => {
    const inner = memoryPublisher();
    const uploads: { plan: string; release: () => void }[] = [];
    const publisher = {
      ...inner,
      publish: (input: PublishInput) =>
        new Promise<void>((release) => uploads.push({ plan: input.plan.planHash, release })).then(() =>
          inner.publish(input),
        ),
    };
    const executor = scriptedExecutor(instantScript);
    // One GPU, one build job at a time.
    h.worker = await startWorker(
      fakeWorkerDeps(h.redis, h.prefix, {
        gpuType: 'H200',
        allocator: memoryAllocator(['0']),
        concurrency: 1,
        publisher,
        executor,
      }),
    );
    const a = await h.bq.submit(fixturePlan('stages-a', 'H200'), null);
    await waitFor(
      () => Promise.resolve(uploads.length),
      (n) => n === 1,
      10_000,
      'a publishing',
    );
    // A uploads; its build job is done, so B's GPU steps run on the one GPU meanwhile.
    expect(await jobStates(a.build.id, buildQueueName('H200'))).toEqual({
      fetch: 'completed',
      build: 'completed',
      publish: 'active',
    });
    const b = await h.bq.submit(fixturePlan('stages-b', 'H200'), null);
    await waitFor(
      () => Promise.resolve(uploads.length),
      (n) => n === 2,
      10_000,
      'b publishing while a still uploads',
    );
    expect(executor.calls.map((c) => c.step)).toEqual(['convert', 'build', 'convert', 'build']);
    expect((await h.bq.store.get(a.build.id))?.status).toBe('running');
    expect((await h.bq.store.get(a.build.id))?.steps.map((s) => s.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'running',
    ]);
    const snapshot = await h.bq.metrics.snapshot();
    expect(Object.values(snapshot.gpus).map((g) => g.allocated)).toEqual([0]);
    uploads.forEach((u) => u.release());
    const done = await waitForStatus(h.bq.store, a.build.id, 'succeeded');
    expect(done?.artifacts?.manifest).toBe(`builds/${a.build.planHash.slice(7)}/manifest.json`);
    expect(done?.error).toBeNull();
    await waitForStatus(h.bq.store, b.build.id, 'succeeded');
    await h.worker.close(500);
    h.worker = null;
  });

  it('runs a plan without GPU steps on an IO-only worker and never enqueues it for GPUs', async () => {
    const io = await startWorker(fakeWorkerDeps(h.redis, h.prefix, { gpuType: null, io: true }));
    extra.push(io);
    const base = fixturePlan('stages-v2', 'B200', 8);
    const plan: BuildPlan = { ...base, steps: base.steps.filter((s) => s.kind === 'fetch' || s.kind === 'publish') };
    const sub = await h.bq.submit(plan, null);
    const running = await waitForStatus(h.bq.store, sub.build.id, ['running', 'succeeded']);
    expect(running?.steps[0]?.status).toBe('succeeded');
    const done = await waitForStatus(h.bq.store, sub.build.id, 'succeeded');
    expect(done?.attempts).toBe(1);
    expect(done?.steps.map((s) => [s.kind, s.status])).toEqual([
      ['fetch', 'succeeded'],
      ['publish', 'succeeded'],
    ]);
    expect(await h.bq.queue(buildQueueName('B200')).getJobCounts()).toEqual(
      expect.objectContaining({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 }),
    );
    await io.close(500);
    extra.splice(extra.indexOf(io), 1);
  });

  it('a final fetch failure removes the rest of the flow, also from a GPU queue no worker serves', async () => {
    await h.worker?.close(500);
    h.worker = await startWorker(
      fakeWorkerDeps(h.redis, h.prefix, {
        gpuType: 'H200',
        fetchItems: () =>
          Promise.reject(new SourceError('HF_REPO_NOT_FOUND', 'no such repo acme/tiny', { retryable: false })),
      }),
    );
    // No worker serves T4: BullMQ alone would leave the build job waiting there (a deferred failure).
    const sub = await h.bq.submit(fixturePlan('stages-fetch-fails', 'T4'), null);
    const failed = await waitForStatus(h.bq.store, sub.build.id, 'failed');
    expect(failed?.error?.code).toBe('HF_REPO_NOT_FOUND');
    await waitFor(
      () => jobStates(sub.build.id, buildQueueName('T4')),
      (s) => Object.values(s).every((st) => st === 'absent'),
      5000,
      'the flow removed',
    );
    const depths = await h.bq.depths();
    expect(depths[buildQueueName('T4')]).toEqual({ waiting: 0, active: 0 });
    expect(await h.bq.store.get(sub.build.id)).toMatchObject({ status: 'failed' });
  });

  it('a final GPU-step failure removes the publish job: no upload, nothing left waiting', async () => {
    await h.worker?.close(500);
    const publisher = memoryPublisher();
    h.worker = await startWorker(
      fakeWorkerDeps(h.redis, h.prefix, {
        gpuType: 'H200',
        publisher,
        executor: scriptedExecutor((step, ctx, call) =>
          step.id === 'build'
            ? Promise.resolve({ ok: false, failure: failure('cuda_oom', false) })
            : instantScript(step, ctx, call),
        ),
      }),
    );
    const plan = fixturePlan('stages-build-fails', 'H200');
    const sub = await h.bq.submit(plan, null);
    const failed = await waitForStatus(h.bq.store, sub.build.id, 'failed');
    expect(failed?.error?.code).toBe('STEP_CUDA_OOM');
    expect(failed?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'failed', 'skipped']);
    // The publish job never runs: the flow is removed once the GPU job failed for good.
    await waitFor(
      () => jobStates(sub.build.id, buildQueueName('H200')),
      (s) => Object.values(s).every((st) => st === 'absent'),
      5000,
      'the flow removed',
    );
    expect(publisher.manifestWrites.has(plan.planHash)).toBe(false);
    expect((await h.bq.store.get(sub.build.id))?.status).toBe('failed');
  });

  it('a stage that finds its build already ended removes the rest of the flow', async () => {
    // The record ended (say a sweep failed it) while the fetch job still waited; no worker serves GB300.
    const sub = await h.bq.submit(fixturePlan('stages-ended-first', 'GB300'), null);
    await h.bq.store.setStatus(sub.build.id, 'failed', Date.now(), {
      error: { code: 'GPU_WAIT_EXPIRED', message: 'waited', advice: null },
    });
    const io = await startWorker(fakeWorkerDeps(h.redis, h.prefix, { gpuType: null, io: true }));
    extra.push(io);
    await waitFor(
      () => jobStates(sub.build.id, buildQueueName('GB300')),
      (s) => Object.values(s).every((st) => st === 'absent'),
      5000,
      'the flow removed',
    );
    expect((await h.bq.store.get(sub.build.id))?.error?.code).toBe('GPU_WAIT_EXPIRED');
    await io.close(500);
    extra.splice(extra.indexOf(io), 1);
  });
});
