/**
 * GPUs are handed out oldest waiter first and waiting builds wake on release: a 4-GPU build that
 * waits while 1-GPU builds keep arriving starts as soon as the devices it needs are free, before
 * any 1-GPU build that arrived after it (no starvation), and no build waits on a timer.
 */
import { expect, it } from 'vitest';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import {
  queueHarness,
  fakeWorkerDeps,
  fixturePlan,
  instantScript,
  memoryAllocator,
  scriptedExecutor,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const h = queueHarness('fair');

it('starts a waiting 4-GPU build before 1-GPU builds that arrived after it', async () => {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  const executor = scriptedExecutor(async (step, ctx, call) => {
    const build = ctx.runName.split('-').slice(1, 3).join('-');
    if (step.id === 'convert') started.push(build);
    // Small builds hold their GPU in `build` until the test lets them go.
    if (step.id === 'build' && ctx.gpuIds.length === 1) await new Promise<void>((r) => gates.set(build, r));
    return instantScript(step, ctx, call);
  });
  h.worker = await startWorker(
    fakeWorkerDeps(h.redis, h.prefix, {
      gpuType: 'V100',
      executor,
      allocator: memoryAllocator(['0', '1', '2', '3']),
      concurrency: 8,
    }),
  );

  const early = await Promise.all([0, 1, 2].map((i) => h.bq.submit(fixturePlan(`fair-early-${i}`, 'V100', 1), null)));
  const earlyIds = early.map((s) => s.build.id);
  await waitFor(
    () => Promise.resolve(gates.size),
    (n) => n === 3,
    15_000,
    'three small builds holding GPUs',
  );
  const big = await h.bq.submit(fixturePlan('fair-big', 'V100', 4), null);
  const waiting = await waitFor(
    () => h.bq.store.get(big.build.id),
    (b) => b?.waitReason !== null,
    15_000,
    'the big build waiting',
  );
  expect(waiting?.waitReason).toBe('waiting for 4×V100: all such GPUs are in use');
  // 1-GPU builds keep arriving; one GPU is free, but the older 4-GPU waiter comes first.
  const late = await Promise.all([0, 1, 2].map((i) => h.bq.submit(fixturePlan(`fair-late-${i}`, 'V100', 1), null)));
  const lateIds = late.map((s) => s.build.id);
  await waitFor(
    () => Promise.all(lateIds.map((id) => h.bq.store.get(id))),
    (bs) => bs.every((b) => b?.waitReason !== null),
    15_000,
    'late builds waiting',
  );
  expect(started.filter((b) => lateIds.includes(b))).toEqual([]);

  for (const id of earlyIds) {
    gates.get(id)?.();
    await waitForStatus(h.bq.store, id, 'succeeded', 15_000);
  }
  await waitForStatus(h.bq.store, big.build.id, 'succeeded', 15_000);
  await waitFor(
    () => Promise.resolve(gates.size),
    (n) => n === 6,
    15_000,
    'late builds running after the big one',
  );
  for (const id of lateIds) gates.get(id)?.();
  await Promise.all(lateIds.map((id) => waitForStatus(h.bq.store, id, 'succeeded', 15_000)));
  const order = started.filter((b) => b === big.build.id || lateIds.includes(b));
  expect(order[0]).toBe(big.build.id);
  // Waiting for GPUs is not an attempt.
  expect((await h.bq.store.get(big.build.id))?.attempts).toBe(1);
});
