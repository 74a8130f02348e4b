/**
 * The worker's side of fencing, with a recording fence: orphans reaped at start and before GPUs
 * are handed out (keeping this process's live attempts), devices a live container uses never
 * handed out, attempt labels on every step, the job's containers stopped the moment its lock is
 * lost, and an earlier attempt's containers stopped on takeover.
 */
import { expect, it } from 'vitest';
import type { AttemptLabels, ContainerFence, StepRunContext } from '../../../orchestrator/exec/types.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import {
  queueHarness,
  fakeWorkerDeps,
  fixturePlan,
  hangUntilAborted,
  instantScript,
  memoryAllocator,
  scriptedExecutor,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const h = queueHarness('fence');

it('reaps, excludes busy devices, labels attempts, stops on lock loss and on takeover', async () => {
  const calls: string[] = [];
  const keeps: string[][] = [];
  const fence: ContainerFence = {
    reapOrphans: (host, keep) => {
      calls.push(`reap:${host}`);
      keeps.push([...keep]);
      return Promise.resolve([]);
    },
    stopBuild: (build, step) => {
      calls.push(`stop:${build}${step ? `/${step}` : ''}`);
      return Promise.resolve(1);
    },
    busyGpuIds: (host) => {
      calls.push(`busy:${host}`);
      return Promise.resolve(new Set(['0'])); // a live container of an earlier attempt still uses GPU 0
    },
  };
  const labels: AttemptLabels[] = [];
  const gpus: (readonly string[])[] = [];
  let lose = true;
  const executor = scriptedExecutor((step, ctx: StepRunContext, n) => {
    if (ctx.labels) labels.push(ctx.labels);
    gpus.push(ctx.gpuIds);
    // The first engine build hangs until its lock is "lost"; the retry finishes.
    if (step.id === 'build' && lose) {
      lose = false;
      return hangUntilAborted(ctx);
    }
    return instantScript(step, ctx, n);
  });
  h.worker = await startWorker(
    fakeWorkerDeps(h.redis, h.prefix, {
      gpuType: 'A100_40GB',
      executor,
      fence,
      host: 'host-a',
      workerName: 'w-fence',
      allocator: memoryAllocator(['0', '1']),
    }),
  );
  expect(calls[0]).toBe('reap:host-a'); // at start, keeping nothing
  expect(keeps[0]).toEqual([]);

  const { build } = await h.bq.submit(fixturePlan('fence', 'A100_40GB'), null);
  await waitFor(
    () => h.bq.store.get(build.id),
    (b) => b?.steps.find((s) => s.id === 'build')?.status === 'running',
    15_000,
    'engine build running',
  );
  expect(calls).toContain('busy:host-a');
  expect(gpus.every((g) => !g.includes('0'))).toBe(true);
  expect(labels[0]).toEqual({ build: build.id, step: 'convert', attempt: 1, worker: 'w-fence', host: 'host-a' });
  // Every container step carries the attempt labels.
  expect(labels.at(-1)).toMatchObject({ step: 'build', attempt: 1 });

  // BullMQ reports that the lock could not be renewed: the step is stopped at once.
  h.worker.buildWorker?.emit('lockRenewalFailed', [build.id]);
  await waitFor(
    () => Promise.resolve(calls),
    (c) => c.includes(`stop:${build.id}`),
    5000,
    'stopBuild on lock loss',
  );

  // The job is retried (attempt 2): a takeover stops what the earlier attempt may still run first.
  const done = await waitForStatus(h.bq.store, build.id, 'succeeded', 20_000);
  expect(done?.attempts).toBe(2);
  expect(calls.filter((c) => c === `stop:${build.id}`).length).toBeGreaterThanOrEqual(2);
  expect(labels.at(-1)).toMatchObject({ build: build.id, attempt: 2 });
});
