/**
 * GPU hand-out with fencing, for the worker: first stop this host's orphaned step containers
 * (those whose attempt the worker does not run any more), then take devices that no live labelled
 * container of this host still uses. A fence failure is thrown (FenceError): handing out devices
 * that may be busy is exactly what fencing is there to prevent.
 */
import type { AttemptLabels, ContainerFence, GpuAllocator } from './types.js';

export interface FencedAcquire {
  readonly allocator: GpuAllocator;
  readonly fence: ContainerFence;
  /** This worker's host label. */
  readonly host: string;
  readonly holder: string;
  readonly count: number;
  /** `attemptKey`s of the attempts this host's workers still run (their containers are kept). */
  readonly keep: ReadonlySet<string>;
}

export interface FencedAcquireResult {
  /** The devices taken for `holder`, or null when not enough are free. */
  readonly gpuIds: readonly string[] | null;
  /** Orphans stopped on the way (for the worker's log). */
  readonly reaped: readonly AttemptLabels[];
  /** Devices left out because a live container uses them. */
  readonly busy: ReadonlySet<string>;
}

/** Reaps orphans, then acquires `count` devices that no live labelled container of `host` uses. */
export async function acquireGpusFenced(req: FencedAcquire): Promise<FencedAcquireResult> {
  if (req.count === 0) return { gpuIds: req.allocator.tryAcquire(req.holder, 0), reaped: [], busy: new Set() };
  const reaped = await req.fence.reapOrphans(req.host, req.keep);
  const busy = await req.fence.busyGpuIds(req.host);
  return { gpuIds: req.allocator.tryAcquire(req.holder, req.count, busy), reaped, busy };
}
