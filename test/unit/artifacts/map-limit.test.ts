// mapLimit lives in storage/util (shared with the fetch side); publish and verify depend on these semantics.
import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../orchestrator/storage/util/map-limit.js';

describe('mapLimit', () => {
  it('keeps order and never exceeds the limit', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x) => {
      active++;
      peak = Math.max(peak, active);
      for (let i = 0; i < x; i++) await Promise.resolve();
      active--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('stops starting new items after the first failure and throws that failure', async () => {
    const started: number[] = [];
    const err = await mapLimit([0, 1, 2, 3, 4, 5], 2, async (x) => {
      started.push(x);
      await Promise.resolve();
      if (x === 1) throw new Error('first');
      if (x === 2) throw new Error('second');
      return x;
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('first');
    expect(started).toEqual([0, 1, 2]);
  });

  it('handles an empty list', async () => {
    expect(await mapLimit([], 4, () => Promise.resolve(1))).toEqual([]);
  });
});
