/**
 * Issue 9, item 2 (GPUs): the allocator never hands out a device that a live labelled container of
 * this host still uses, and the docker executor refuses to start a step on such a device.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerExecutor } from '../../orchestrator/exec/docker-executor.js';
import { createDockerFence } from '../../orchestrator/exec/docker-fence.js';
import { acquireGpusFenced } from '../../orchestrator/exec/fenced-gpus.js';
import { createGpuAllocator } from '../../orchestrator/exec/gpu-allocator.js';
import { attemptKey, type AttemptLabels } from '../../orchestrator/exec/types.js';
import { recordedRuns, runningContainers } from '../fixtures/bin/lib/fake-docker/state.js';
import {
  FAKE_BIN,
  containerStep,
  fakeDockerState,
  runContext,
  tempDir,
  waitUntil,
} from '../integration/exec/helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

describe('fencing: busy GPUs are never handed out twice', { timeout: 120_000 }, () => {
  it('a live container keeps its device out of the allocator and out of docker run; once reaped, the device is free', async () => {
    const ws = tempDir('gpus-ws-');
    const state = fakeDockerState();
    cleanups.push(ws.cleanup, state.cleanup);
    const env = {
      ...process.env,
      PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
      FAKE_DOCKER_STATE: state.dir,
    } as Record<string, string>;
    const executor = createDockerExecutor({ env: { ...env, FAKE_DOCKER_FAIL: 'hang' }, forceKillAfterMs: 1_000 });
    const fence = createDockerFence({ env });
    const x: AttemptLabels = {
      build: 'b00000000000000x-1',
      step: 'engine_build',
      attempt: 1,
      worker: 'worker-a',
      host: 'host-1',
    };
    const first = runContext(ws.dir, { runName: 'run-x', gpuIds: ['0'], labels: x });
    const runX = executor.run(containerStep({ timeoutSeconds: 600 }), first.ctx);
    await waitUntil(
      () => runningContainers(state.dir).some((c) => c.Name === 'run-x'),
      'the first container runs',
      60_000,
    );

    // A second worker process on the host (fresh allocator: it knows nothing of run-x) keeps run-x.
    const allocator = createGpuAllocator(['0', '1']);
    const got = await acquireGpusFenced({
      allocator,
      fence,
      host: 'host-1',
      holder: 'b-y',
      count: 1,
      keep: new Set([attemptKey(x)]),
    });
    expect(got).toMatchObject({ gpuIds: ['1'], reaped: [] });
    expect([...got.busy]).toEqual(['0']);
    allocator.release('b-y');
    expect(
      (
        await acquireGpusFenced({
          allocator,
          fence,
          host: 'host-1',
          holder: 'b-z',
          count: 2,
          keep: new Set([attemptKey(x)]),
        })
      ).gpuIds,
    ).toBeNull();

    // The executor refuses device 0 to another build's step and never calls docker run for it.
    const y: AttemptLabels = { ...x, build: 'b00000000000000y-1', worker: 'worker-b' };
    const second = runContext(ws.dir, { runName: 'run-y', gpuIds: ['0'], labels: y });
    const refused = await executor.run(containerStep(), second.ctx);
    expect(refused.ok ? null : refused.failure).toMatchObject({
      code: 'STEP_GPU_BUSY',
      retryable: true,
      class: 'container_runtime',
    });
    expect(refused.ok ? '' : refused.failure.message).toBe(
      'GPU(s) 0 are still used by a live container on host-1; step engine_build does not start on them',
    );
    expect(recordedRuns(state.dir).map((r) => r.name)).toEqual(['run-x']);

    // run-x's worker is gone (nothing keeps it): the reaper stops it and device 0 is free again.
    const after = await acquireGpusFenced({
      allocator,
      fence,
      host: 'host-1',
      holder: 'b-y',
      count: 2,
      keep: new Set(),
    });
    expect(after.reaped).toEqual([x]);
    expect(after.gpuIds).toEqual(['0', '1']);
    expect((await runX).ok).toBe(false);
    expect(runningContainers(state.dir)).toEqual([]);
  });
});
