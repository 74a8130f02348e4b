/**
 * An exclusive, in-memory assignment of this host's GPU device ids to builds (one allocator per
 * worker process). No device is ever given to two holders; devices go back on release, which is
 * idempotent. A crash loses the whole process, and with it every assignment.
 */
import type { GpuAllocator } from './types.js';

const NO_DEVICES: ReadonlySet<string> = new Set();

/** Creates an allocator over `deviceIds` (order = preference order). */
export function createGpuAllocator(deviceIds: readonly string[]): GpuAllocator {
  const ids = [...deviceIds];
  if (new Set(ids).size !== ids.length) throw new Error(`device ids must be distinct (got ${ids.join(',')})`);
  const held = new Map<string, readonly string[]>();
  const busy = new Set<string>();
  return {
    deviceIds: Object.freeze([...ids]),
    tryAcquire(holder: string, count: number, exclude: ReadonlySet<string> = NO_DEVICES): readonly string[] | null {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`GPU count must be a whole number ≥ 0 (got ${count})`);
      const mine = held.get(holder);
      // Asking again for the same holder is idempotent when the count matches (a re-delivered job).
      if (mine !== undefined) return mine.length === count ? mine : null;
      if (count === 0) return [];
      // `exclude`: devices a live container still uses (e.g. an earlier attempt's): never handed out.
      const free = ids.filter((id) => !busy.has(id) && !exclude.has(id));
      if (free.length < count) return null;
      const taken = Object.freeze(free.slice(0, count));
      for (const id of taken) busy.add(id);
      held.set(holder, taken);
      return taken;
    },
    release(holder: string): void {
      const mine = held.get(holder);
      if (mine === undefined) return;
      for (const id of mine) busy.delete(id);
      held.delete(holder);
    },
    snapshot(): Readonly<Record<string, readonly string[]>> {
      return Object.freeze(Object.fromEntries(held));
    },
  };
}

/**
 * Runs `fn` with `count` devices held for `holder` and releases them however `fn` ends (success,
 * failure, cancel). Returns null without running `fn` when the devices are not free (devices in
 * `exclude` never count as free).
 */
export async function withGpus<T>(
  allocator: GpuAllocator,
  holder: string,
  count: number,
  fn: (ids: readonly string[]) => Promise<T>,
  exclude?: ReadonlySet<string>,
): Promise<{ value: T } | null> {
  const ids = allocator.tryAcquire(holder, count, exclude);
  if (ids === null) return null;
  try {
    return { value: await fn(ids) };
  } finally {
    allocator.release(holder);
  }
}
