/**
 * The queue service on real Redis with in-process workers: submit → succeeded, duplicates
 * collapse, transient retry, final failure with advice, cancel queued and running builds,
 * exclusive GPU assignment under concurrency.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeInfo } from '../../../orchestrator/build/error-codes.js';
import { createGpuAllocator } from '../../../orchestrator/exec/gpu-allocator.js';
import type { WorkerDeps } from '../../../orchestrator/queue/ports.js';
import { SourceError } from '../../../orchestrator/storage/sources/errors.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { buildQueueName } from '../../../orchestrator/queue/job-catalog.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import {
  REDIS_URL,
  cleanupPrefix,
  failure,
  fakeWorkerDeps,
  fixturePlan,
  hangUntilAborted,
  instantScript,
  memoryAllocator,
  memoryPublisher,
  scriptedExecutor,
  uniquePrefix,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const prefix = uniquePrefix('flow');
let redis: Redis;
let bq: BuildQueue;
const workers: ServiceWorker[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => Date.now());
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(1000)));
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function worker(over: Parameters<typeof fakeWorkerDeps>[2] = {}): Promise<ServiceWorker> {
  const w = await startWorker(fakeWorkerDeps(redis, prefix, over));
  workers.push(w);
  return w;
}

describe('build flow', () => {
  it('runs fetch on io, then the GPU steps, publishes once, and records steps, logs and metrics', async () => {
    const publisher = memoryPublisher();
    const executor = scriptedExecutor(instantScript);
    await worker({ gpuType: 'A10G', publisher, executor, workerName: 'w-happy' });
    const plan = fixturePlan('happy', 'A10G');
    const sub = await bq.submit(plan, null);
    expect(sub.created).toBe(true);
    expect(sub.build.status).toBe('queued');
    expect(sub.build.id).toMatch(/^[0-9a-f]{16}-1$/);
    const done = await waitForStatus(bq.store, sub.build.id, 'succeeded');
    expect(done?.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ['fetch', 'succeeded', 1],
      ['convert', 'succeeded', 1],
      ['build', 'succeeded', 1],
      ['publish', 'succeeded', 1],
    ]);
    expect(done?.steps.every((s) => s.progress === 1 && s.startedAt !== null && s.finishedAt !== null)).toBe(true);
    expect(done?.artifacts?.manifest).toBe(`builds/${plan.planHash.slice(7)}/manifest.json`);
    expect(publisher.manifestWrites.get(plan.planHash)).toBe(1);
    expect(executor.calls.map((c) => c.step)).toEqual(['convert', 'build']);
    // The fetch child ran on the IO queue and its job id derives from the build id.
    const fetchJob = await bq.queue('io').getJob(`${sub.build.id}-fetch`);
    expect(await fetchJob?.getState()).toBe('completed');
    // Finished jobs expire with the build records (retention, default 7 days).
    expect(fetchJob?.opts.removeOnComplete).toEqual({ age: 7 * 24 * 3600 });
    expect((await bq.queue(buildQueueName('A10G')).getJob(sub.build.id))?.opts.removeOnFail).toEqual({
      age: 7 * 24 * 3600,
    });
    const logs = await bq.store.readLogs(sub.build.id, 0, 100);
    expect(logs.entries.map((e) => e.line)).toContain('[2/2] done');
    expect(logs.entries.map((e) => e.seq)).toEqual(logs.entries.map((_, i) => i + 1));
    const m = await bq.metrics.snapshot();
    expect(Number(m.steps['engine_build|count'])).toBeGreaterThanOrEqual(1);
    expect(Number(m.counters['cache_misses'])).toBeGreaterThanOrEqual(1);
    expect(m.gpus['w-happy']).toEqual({ gpuType: 'A10G', total: 2, allocated: 0 });
  });

  it('collapses duplicate submissions of one plan (also when concurrent) and resubmits after a cancel', async () => {
    const plan = fixturePlan('dup', 'L4'); // no L4 worker: stays queued
    const subs = await Promise.all(Array.from({ length: 8 }, () => bq.submit(plan, null)));
    const ids = new Set(subs.map((s) => s.build.id));
    expect(ids.size).toBe(1);
    expect(subs.filter((s) => s.created)).toHaveLength(1);
    const id = subs[0]?.build.id ?? '';
    // The IO worker of the first test fetches; then the build waits on `build-L4`, which no worker serves.
    await waitFor(
      () => bq.store.get(id),
      (b) => b?.steps[0]?.status === 'succeeded',
      10_000,
      'fetch done',
    );
    await waitFor(
      () => bq.queue(buildQueueName('L4')).getJobCounts('waiting'),
      (c) => c['waiting'] === 1,
      10_000,
      'build waiting',
    );
    // Nobody serves L4: the view says so (from the worker registry), instead of a silent `queued`.
    expect((await bq.view(id))?.waitReason).toBe('waiting for 1×L4: no registered worker serves L4');
    const c = await bq.cancel(id);
    expect(c.kind).toBe('cancelled');
    expect(await bq.queue(buildQueueName('L4')).getJob(id)).toBeUndefined();
    expect(await bq.queue('io').getJob(`${id}-fetch`)).toBeUndefined();
    const again = await bq.submit(plan, null);
    expect(again.created).toBe(true);
    expect(again.build.id).toBe(id.replace(/-1$/, '-2'));
    // Cancelled while (or before) the IO worker fetches: removed, or the fetch is aborted.
    expect(['cancelled', 'requested']).toContain((await bq.cancel(again.build.id)).kind);
    await waitForStatus(bq.store, again.build.id, 'cancelled', 5000);
  });

  it('a plan already published is succeeded at once with no job', async () => {
    const plan = fixturePlan('published', 'B200');
    const art = { store: 'memory://', prefix: 'builds/x/', manifest: 'builds/x/manifest.json' };
    const sub = await bq.submit(plan, art);
    expect(sub.build.status).toBe('succeeded');
    expect(sub.build.artifacts).toEqual(art);
    expect(sub.build.steps.every((s) => s.status === 'skipped')).toBe(true);
    expect(await bq.queue(buildQueueName('B200')).getJob(sub.build.id)).toBeUndefined();
  });

  it('retries a transient failure and resumes after the last completed step', async () => {
    const executor = scriptedExecutor((step, ctx, call) =>
      step.id === 'build' && call === 2
        ? Promise.resolve({ ok: false, failure: failure('network', true) })
        : instantScript(step, ctx, call),
    );
    await worker({ gpuType: 'H200', executor });
    const sub = await bq.submit(fixturePlan('transient', 'H200'), null);
    const done = await waitForStatus(bq.store, sub.build.id, 'succeeded');
    expect(executor.calls.map((c) => c.step)).toEqual(['convert', 'build', 'build']);
    expect(done?.steps.find((s) => s.id === 'build')?.attempts).toBe(2);
    expect(done?.steps.find((s) => s.id === 'convert')?.attempts).toBe(1);
    expect(done?.attempts).toBe(2);
    // Each attempt runs under its own container name.
    expect(new Set(executor.calls.map((c) => c.runName)).size).toBe(3);
  });

  it('stops on CUDA OOM with a stable code and advice, without retrying', async () => {
    const executor = scriptedExecutor((step, ctx, call) =>
      step.id === 'build'
        ? Promise.resolve({ ok: false, failure: failure('cuda_oom', false) })
        : instantScript(step, ctx, call),
    );
    await worker({ gpuType: 'A100', executor });
    const sub = await bq.submit(fixturePlan('oom', 'A100'), null);
    const done = await waitForStatus(bq.store, sub.build.id, 'failed');
    expect(done?.error).toEqual({ code: 'STEP_CUDA_OOM', message: 'fake cuda_oom', advice: 'raise num_builder_gpus' });
    expect(done?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'failed', 'skipped']);
    expect(executor.calls.filter((c) => c.step === 'build')).toHaveLength(1);
  });

  it('a gated Hugging Face repository fails the build at once as HF_REPO_GATED, a user fault with advice', async () => {
    // Its own prefix: the IO workers of this file would fetch the plan for real.
    const own = uniquePrefix('flow-gated');
    const q = new BuildQueue(redis, own, () => Date.now());
    const gatedFetch: WorkerDeps['fetchItems'] = () =>
      Promise.reject(new SourceError('HF_REPO_GATED', 'acme/tiny is gated: request access on huggingface.co'));
    const w = await startWorker(fakeWorkerDeps(redis, own, { gpuType: 'T4', io: true, fetchItems: gatedFetch }));
    try {
      const sub = await q.submit(fixturePlan('gated', 'T4'), null);
      const done = await waitForStatus(q.store, sub.build.id, 'failed', 15_000);
      expect(done?.error).toMatchObject({
        code: 'HF_REPO_GATED',
        message: 'acme/tiny is gated: request access on huggingface.co',
      });
      expect(done?.error?.advice).toContain('licence');
      expect(errorCodeInfo('HF_REPO_GATED')).toMatchObject({ httpStatus: 403, fault: 'user' });
      expect(done?.steps[0]).toMatchObject({ id: 'fetch', status: 'failed', attempts: 1 });
    } finally {
      await w.close(500);
      await q.close();
      await cleanupPrefix(redis, own);
    }
  });

  it('cancels a running build: the step gets the abort, devices are released, status cancelled', async () => {
    const allocator = memoryAllocator(['0']);
    const executor = scriptedExecutor((step, ctx, call) =>
      step.id === 'build' ? hangUntilAborted(ctx) : instantScript(step, ctx, call),
    );
    await worker({ gpuType: 'L40S', executor, allocator });
    const sub = await bq.submit(fixturePlan('cancel-running', 'L40S'), null);
    await waitFor(
      () => bq.store.get(sub.build.id),
      (b) => b?.steps.find((s) => s.id === 'build')?.status === 'running',
      15_000,
      'build step running',
    );
    expect(allocator.snapshot()[sub.build.id]).toEqual(['0']);
    const t0 = Date.now();
    const c = await bq.cancel(sub.build.id);
    expect(['requested', 'cancelled']).toContain(c.kind);
    const done = await waitForStatus(bq.store, sub.build.id, 'cancelled', 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(done?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'cancelled', 'cancelled']);
    await waitFor(
      () => Promise.resolve(allocator.snapshot()),
      (s) => Object.keys(s).length === 0,
      5000,
      'devices released',
    );
    expect((await bq.cancel(sub.build.id)).kind).toBe('finished');
  });

  it('records progress and log lines of a step while it runs (batched, not only at its end)', async () => {
    const executor = scriptedExecutor((step, ctx, call) => {
      if (step.id !== 'build') return instantScript(step, ctx, call);
      ctx.onLine('Loading weights:  50%|#####     | 5/10', 'stderr');
      return hangUntilAborted(ctx);
    });
    await worker({ gpuType: 'GB300', executor, allocator: memoryAllocator(['0']) });
    const sub = await bq.submit(fixturePlan('progress-live', 'GB300'), null);
    const running = await waitFor(
      () => bq.store.get(sub.build.id),
      (b) => b?.steps.find((s) => s.id === 'build')?.progress === 0.5,
      15_000,
      'live progress 0.5',
    );
    expect(running?.status).toBe('running');
    expect(running?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'running', 'pending']);
    const logs = await waitFor(
      () => bq.store.readLogs(sub.build.id, 0, 100),
      (l) => l.entries.some((e) => e.line.startsWith('Loading weights:')),
      5000,
      'live log line',
    );
    expect(logs.entries.map((e) => e.seq)).toEqual(logs.entries.map((_, i) => i + 1));
    await bq.cancel(sub.build.id);
    const done = await waitForStatus(bq.store, sub.build.id, 'cancelled', 5000);
    expect(done?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'cancelled', 'cancelled']);
  });

  it('shows why a build waits for GPUs no worker has, then fails it after the wait limit', async () => {
    await worker({ gpuType: 'RTX_PRO_6000', allocator: memoryAllocator(['0', '1']), gpuWaitLimitMs: 1500 });
    const sub = await bq.submit(fixturePlan('too-big', 'RTX_PRO_6000', 4), null);
    const waiting = await waitFor(
      () => bq.store.get(sub.build.id),
      (b) => b?.waitReason !== null,
      10_000,
      'a wait reason',
    );
    expect(waiting?.status).toBe('queued');
    expect(waiting?.waitReason).toBe('waiting for 4×RTX_PRO_6000: no registered worker has that many');
    const done = await waitForStatus(bq.store, sub.build.id, 'failed', 15_000);
    expect(done?.error?.code).toBe('GPU_COUNT_UNAVAILABLE');
    expect(done?.waitReason).toBeNull();
    expect(done?.attempts).toBe(0);
    expect(done?.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped', 'skipped', 'skipped']);
  });

  it('never assigns a device twice while builds run concurrently', async () => {
    const allocator = createGpuAllocator(['0', '1', '2']);
    const executor = scriptedExecutor(async (step, ctx, call) => {
      await new Promise((r) => setImmediate(r));
      return instantScript(step, ctx, call);
    });
    await worker({ gpuType: 'B300', executor, allocator, concurrency: 6 });
    const plans = Array.from({ length: 8 }, (_, i) => fixturePlan(`conc-${i}`, 'B300', i % 2 === 0 ? 1 : 2));
    const subs = await Promise.all(plans.map((p) => bq.submit(p, null)));
    await Promise.all(subs.map((s) => waitForStatus(bq.store, s.build.id, 'succeeded', 20_000)));
    for (const a of executor.calls) {
      for (const b of executor.calls) {
        if (a === b || a.runName.split('-')[1] === b.runName.split('-')[1]) continue;
        const overlap = a.start < b.end && b.start < a.end;
        if (overlap) expect(a.gpuIds.filter((g) => b.gpuIds.includes(g))).toEqual([]);
      }
    }
    expect(executor.calls.every((c) => c.gpuIds.length >= 1)).toBe(true);
    expect(Object.keys(allocator.snapshot())).toEqual([]);
  });
});
