import { describe, expect, it } from 'vitest';
import { acquireGpusFenced } from '../../../orchestrator/exec/fenced-gpus.js';
import { createGpuAllocator } from '../../../orchestrator/exec/gpu-allocator.js';
import { attemptKey, type AttemptLabels, type ContainerFence } from '../../../orchestrator/exec/types.js';
import { FenceError } from '../../../orchestrator/exec/docker-fence.js';

interface Live {
  readonly labels: AttemptLabels;
  readonly gpus: readonly string[];
}

/** An in-memory fence with the docker fence's semantics (host-scoped, keep by attempt key), recording the order of calls. */
function memoryFence(live: Live[], calls: string[] = []): ContainerFence {
  return {
    reapOrphans(host, keep) {
      calls.push('reap');
      const gone = live.filter((c) => c.labels.host === host && !keep.has(attemptKey(c.labels)));
      for (const c of gone) live.splice(live.indexOf(c), 1);
      return Promise.resolve(gone.map((c) => c.labels));
    },
    stopBuild(build, step) {
      const gone = live.filter((c) => c.labels.build === build && (step === undefined || c.labels.step === step));
      for (const c of gone) live.splice(live.indexOf(c), 1);
      return Promise.resolve(gone.length);
    },
    busyGpuIds(host) {
      calls.push('busy');
      return Promise.resolve(new Set(live.filter((c) => c.labels.host === host).flatMap((c) => c.gpus)));
    },
  };
}

const labels = (build: string, host = 'h1', attempt = 1): AttemptLabels => ({
  build,
  step: 'engine_build',
  attempt,
  worker: 'w1',
  host,
});

describe('acquireGpusFenced', () => {
  it('reaps orphans first, then hands out only devices no kept container uses', async () => {
    const kept = labels('b-kept');
    const live: Live[] = [
      { labels: labels('b-orphan'), gpus: ['0'] },
      { labels: kept, gpus: ['1'] },
      { labels: labels('b-other-host', 'h2'), gpus: ['2'] },
    ];
    const calls: string[] = [];
    const allocator = createGpuAllocator(['0', '1', '2', '3']);
    const r = await acquireGpusFenced({
      allocator,
      fence: memoryFence(live, calls),
      host: 'h1',
      holder: 'b-new',
      count: 2,
      keep: new Set([attemptKey(kept)]),
    });
    expect(calls).toEqual(['reap', 'busy']);
    expect(r.reaped).toEqual([labels('b-orphan')]);
    expect([...r.busy]).toEqual(['1']);
    // 0 was the orphan's (now stopped), 1 is still used, 2 belongs to another host's container.
    expect(r.gpuIds).toEqual(['0', '2']);
    expect(live.map((c) => c.labels.build)).toEqual(['b-kept', 'b-other-host']);
  });

  it('returns null (and takes nothing) when the free devices are all busy', async () => {
    const allocator = createGpuAllocator(['0', '1']);
    const k = labels('b-kept');
    const r = await acquireGpusFenced({
      allocator,
      fence: memoryFence([{ labels: k, gpus: ['0', '1'] }]),
      host: 'h1',
      holder: 'b-new',
      count: 1,
      keep: new Set([attemptKey(k)]),
    });
    expect(r.gpuIds).toBeNull();
    expect(allocator.snapshot()).toEqual({});
  });

  it('a fence failure propagates and nothing is handed out', async () => {
    const allocator = createGpuAllocator(['0']);
    const fence: ContainerFence = {
      ...memoryFence([]),
      reapOrphans: () => Promise.reject(new FenceError('FENCE_TIMEOUT', 'docker ps did not finish within 15000 ms')),
    };
    await expect(
      acquireGpusFenced({ allocator, fence, host: 'h1', holder: 'b', count: 1, keep: new Set() }),
    ).rejects.toMatchObject({ code: 'FENCE_TIMEOUT' });
    expect(allocator.snapshot()).toEqual({});
  });

  it('zero GPUs needs no fence call', async () => {
    const calls: string[] = [];
    const r = await acquireGpusFenced({
      allocator: createGpuAllocator(['0']),
      fence: memoryFence([], calls),
      host: 'h1',
      holder: 'cpu',
      count: 0,
      keep: new Set(),
    });
    expect(r.gpuIds).toEqual([]);
    expect(calls).toEqual([]);
  });
});
