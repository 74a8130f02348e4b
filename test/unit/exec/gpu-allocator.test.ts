import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGpuAllocator, withGpus } from '../../../orchestrator/exec/gpu-allocator.js';
import type { GpuAllocator } from '../../../orchestrator/exec/types.js';

/** Every held device belongs to exactly one holder and to the allocator's devices. */
function assertExclusive(a: GpuAllocator): void {
  const all = Object.values(a.snapshot()).flat();
  expect(new Set(all).size).toBe(all.length);
  for (const id of all) expect(a.deviceIds).toContain(id);
}

describe('createGpuAllocator', () => {
  it('hands out lowest free devices, exclusively, and several builds at once when they fit', () => {
    const a = createGpuAllocator(['0', '1', '2', '3']);
    expect(a.tryAcquire('b1', 2)).toEqual(['0', '1']);
    expect(a.tryAcquire('b2', 1)).toEqual(['2']);
    expect(a.tryAcquire('b3', 2)).toBeNull();
    expect(a.tryAcquire('b4', 1)).toEqual(['3']);
    expect(a.snapshot()).toEqual({ b1: ['0', '1'], b2: ['2'], b4: ['3'] });
    a.release('b1');
    expect(a.tryAcquire('b3', 2)).toEqual(['0', '1']);
    assertExclusive(a);
  });

  it('release is idempotent and unknown holders are a no-op', () => {
    const a = createGpuAllocator(['0', '1']);
    a.tryAcquire('x', 2);
    a.release('x');
    a.release('x');
    a.release('never');
    expect(a.snapshot()).toEqual({});
    expect(a.tryAcquire('y', 2)).toEqual(['0', '1']);
  });

  it('asking again for the same holder returns its devices (re-delivered job), never more', () => {
    const a = createGpuAllocator(['0', '1', '2']);
    expect(a.tryAcquire('x', 2)).toEqual(['0', '1']);
    expect(a.tryAcquire('x', 2)).toEqual(['0', '1']);
    expect(a.tryAcquire('x', 1)).toBeNull();
    expect(a.snapshot()).toEqual({ x: ['0', '1'] });
  });

  it('a request larger than the host never succeeds; zero GPUs is an empty set', () => {
    const a = createGpuAllocator(['0', '1']);
    expect(a.tryAcquire('big', 3)).toBeNull();
    expect(a.tryAcquire('cpu', 0)).toEqual([]);
    expect(a.snapshot()).toEqual({});
  });

  it('refuses nonsense counts and duplicate device ids', () => {
    const a = createGpuAllocator(['0']);
    expect(() => a.tryAcquire('x', -1)).toThrow(RangeError);
    expect(() => a.tryAcquire('x', 1.5)).toThrow('whole number');
    expect(() => createGpuAllocator(['0', '0'])).toThrow('distinct');
  });

  it('the returned lists cannot be used to corrupt the state', () => {
    const a = createGpuAllocator(['0', '1']);
    const got = a.tryAcquire('x', 1);
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(a.deviceIds)).toBe(true);
  });

  it('never hands out an excluded device (a live container still uses it), and takes the next free ones instead', () => {
    const a = createGpuAllocator(['0', '1', '2', '3']);
    expect(a.tryAcquire('b1', 2, new Set(['0', '2']))).toEqual(['1', '3']);
    expect(a.tryAcquire('b2', 1, new Set(['0', '2']))).toBeNull();
    expect(a.tryAcquire('b2', 1, new Set(['0']))).toEqual(['2']);
    expect(a.tryAcquire('b3', 1, new Set(['7', '0']))).toBeNull();
    expect(a.tryAcquire('b3', 1)).toEqual(['0']);
    assertExclusive(a);
  });

  it('property: with any exclusion set, no excluded device is handed out and acquire succeeds iff enough non-excluded devices are free', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.record({
            count: fc.integer({ min: 1, max: 8 }),
            exclude: fc.subarray(['0', '1', '2', '3', '4', '5', '6', '7']),
          }),
          { maxLength: 20 },
        ),
        (n, reqs) => {
          const a = createGpuAllocator(Array.from({ length: n }, (_, i) => String(i)));
          for (const [i, r] of reqs.entries()) {
            const held = new Set(Object.values(a.snapshot()).flat());
            const usable = a.deviceIds.filter((id) => !held.has(id) && !r.exclude.includes(id)).length;
            const got = a.tryAcquire(`h${i}`, r.count, new Set(r.exclude));
            if (r.count <= usable) {
              expect(got).toHaveLength(r.count);
              for (const id of got ?? []) expect(r.exclude).not.toContain(id);
            } else expect(got).toBeNull();
            assertExclusive(a);
          }
        },
      ),
    );
  });

  it('property: under any sequence of acquire/release, no device is held twice and acquire succeeds iff enough are free', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('acquire' as const),
        holder: fc.integer({ min: 0, max: 5 }),
        count: fc.integer({ min: 0, max: 9 }),
      }),
      fc.record({ kind: fc.constant('release' as const), holder: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 60 }), (n, ops) => {
        const a = createGpuAllocator(Array.from({ length: n }, (_, i) => String(i)));
        for (const o of ops) {
          const holder = `h${o.holder}`;
          if (o.kind === 'release') {
            a.release(holder);
          } else {
            const before = a.snapshot();
            const free = n - Object.values(before).flat().length;
            const got = a.tryAcquire(holder, o.count);
            const had = before[holder];
            if (had !== undefined) expect(got).toEqual(had.length === o.count ? had : null);
            else if (o.count === 0) expect(got).toEqual([]);
            else if (o.count <= free) expect(got).toHaveLength(o.count);
            else expect(got).toBeNull();
          }
          assertExclusive(a);
        }
      }),
    );
  });
});

describe('withGpus', () => {
  it('releases on success, on failure and on cancel', async () => {
    const a = createGpuAllocator(['0', '1']);
    await expect(withGpus(a, 'ok', 2, (ids) => Promise.resolve(ids.join(',')))).resolves.toEqual({ value: '0,1' });
    expect(a.snapshot()).toEqual({});
    await expect(withGpus(a, 'boom', 1, async () => Promise.reject(new Error('step failed')))).rejects.toThrow(
      'step failed',
    );
    expect(a.snapshot()).toEqual({});
    const ac = new AbortController();
    const cancelled = withGpus(a, 'cancel', 2, (ids) => {
      expect(a.snapshot()).toEqual({ cancel: ids });
      return new Promise<never>((_, reject) =>
        ac.signal.addEventListener('abort', () => reject(new Error('cancelled'))),
      );
    });
    ac.abort();
    await expect(cancelled).rejects.toThrow('cancelled');
    expect(a.snapshot()).toEqual({});
  });

  it('does not run on excluded devices', async () => {
    const a = createGpuAllocator(['0', '1']);
    await expect(withGpus(a, 'me', 1, (ids) => Promise.resolve(ids), new Set(['0']))).resolves.toEqual({
      value: ['1'],
    });
    await expect(withGpus(a, 'me', 1, (ids) => Promise.resolve(ids), new Set(['0', '1']))).resolves.toBeNull();
  });

  it('does not run when the devices are taken', async () => {
    const a = createGpuAllocator(['0']);
    a.tryAcquire('other', 1);
    let ran = false;
    await expect(
      withGpus(a, 'me', 1, () => {
        ran = true;
        return Promise.resolve(1);
      }),
    ).resolves.toBeNull();
    expect(ran).toBe(false);
  });

  it('concurrent builds never share a device, and all of them run', async () => {
    const a = createGpuAllocator(['0', '1', '2', '3']);
    const inUse = new Set<string>();
    let maxConcurrent = 0;
    let running = 0;
    const jobs = Array.from({ length: 40 }, (_, i) => ({ holder: `b${i}`, count: 1 + (i % 3) }));
    const pending = [...jobs];
    const done: string[] = [];
    // A tiny scheduler: start whatever fits, wait for any to finish, repeat (no clocks involved).
    const runOne = async (job: { holder: string; count: number }): Promise<void> => {
      const r = await withGpus(a, job.holder, job.count, async (ids) => {
        for (const id of ids) {
          expect(inUse.has(id)).toBe(false);
          inUse.add(id);
        }
        running += 1;
        maxConcurrent = Math.max(maxConcurrent, running);
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const id of ids) inUse.delete(id);
        running -= 1;
      });
      if (r === null) pending.push(job);
      else done.push(job.holder);
    };
    while (done.length < jobs.length) {
      const batch = pending.splice(0, pending.length);
      await Promise.all(batch.map(runOne));
    }
    expect(done.sort()).toEqual(jobs.map((j) => j.holder).sort());
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(a.snapshot()).toEqual({});
  });
});
