/**
 * Hands this host's GPUs to build jobs: fencing first (reap orphaned containers, never hand out a
 * device a live container uses), oldest waiter first, and a waiting job sleeps as a delayed BullMQ
 * job until a release wakes it (or its wait limit passes, then it fails with a registry code).
 * Waiters of a GPU type are one sorted set of `<buildId>|<gpuCount>` by the time each started
 * waiting, shared by every worker of that type: the oldest waiter that fits a host goes first, so a
 * stream of small builds cannot starve a large one.
 */
import type { Job, Queue } from 'bullmq';
import { DelayedError } from 'bullmq';
import type { Failure } from '../build/failure.js';
import { ERROR_ADVICE } from '../build/error-codes.js';
import type { WorkerDeps } from './ports.js';
import type { RedisClient, RedisKeys } from '../records/redis-keys.js';
import { waitReason } from '../records/worker-registry.js';
import type { WorkerRegistry } from '../records/worker-registry.js';

export const DEFAULT_GPU_WAIT_LIMIT_MS = 3_600_000;
/** A parked build re-checks at least this often (ms), in case a wake raced its park in another process. */
const WAIT_BACKSTOP_MS = 60_000;

/** Who holds a device: build and current step. */
export interface Holder {
  readonly build: string;
  step: string | null;
}

/** The GPU side of a build worker. */
export class GpuGate {
  /** Attempts (`build/step/attempt`) of this process whose containers must survive a reap. */
  readonly keep = new Set<string>();
  readonly holders = new Map<string, Holder>();
  /** Wakes sent by this process (releases, and acquisitions that leave devices for others). */
  private wakes = 0;

  private readonly waitKey: string;

  constructor(
    private readonly d: WorkerDeps,
    private readonly host: string,
    keys: RedisKeys,
    private readonly queue: Queue,
    private readonly registry: WorkerRegistry,
    private readonly changed: () => void,
  ) {
    this.waitKey = keys.gpuWait(d.gpuType ?? '');
  }

  private get redis(): RedisClient {
    return this.d.connection;
  }

  /**
   * GPUs for build `id`, or: throws DelayedError after parking the job until a release (or its
   * limit), or resolves a Failure when it waited past the limit.
   */
  async acquire(
    job: Job<unknown>,
    token: string | undefined,
    id: string,
    count: number,
    setReason: (r: string) => Promise<void>,
  ): Promise<readonly string[] | Failure> {
    const { d } = this;
    const limit = d.gpuWaitLimitMs ?? DEFAULT_GPU_WAIT_LIMIT_MS;
    const now = d.now();
    const member = `${id}|${count}`;
    const waiters = await this.waiters();
    const waiting = waiters.find((w) => w.member === member)?.since ?? null;
    const since = waiting ?? now;
    const fits = count <= d.allocator.deviceIds.length;
    const seen = this.wakes;
    let ids: readonly string[] | null = null;
    const older = waiters.some(
      (w) => w.member !== member && w.since < since && w.count <= d.allocator.deviceIds.length,
    );
    if (fits && !older) {
      if (d.fence) await d.fence.reapOrphans(this.host, this.keep);
      const exclude = d.fence ? await d.fence.busyGpuIds(this.host) : new Set<string>();
      ids = d.allocator.tryAcquire(id, count, exclude);
    }
    if (ids) {
      if (waiting !== null) await this.redis.zrem(this.waitKey, member);
      for (const g of ids) this.holders.set(g, { build: id, step: null });
      this.changed();
      // Others may still fit in what is left.
      this.wakes++;
      if (waiters.some((w) => w.member !== member)) void this.wake().catch(() => undefined);
      return ids;
    }
    if (waiting === null) await this.redis.zadd(this.waitKey, 'NX', now, member);
    if (now - since >= limit) {
      await this.redis.zrem(this.waitKey, member);
      const code = fits ? 'GPU_WAIT_EXPIRED' : 'GPU_COUNT_UNAVAILABLE';
      const reason = fits
        ? `waited ${Math.round((now - since) / 1000)} s for ${count}×${d.gpuType ?? ''} GPUs`
        : `the plan needs ${count} ${d.gpuType ?? ''} GPUs; no worker that picked it up has that many`;
      return { code, message: reason, advice: ERROR_ADVICE[code] ?? null, retryable: false };
    }
    const why =
      waitReason(await this.registry.list(), d.gpuType ?? '', count) ??
      `waiting for ${count}×${d.gpuType ?? ''}: all such GPUs are in use`;
    await setReason(why);
    // Parked until a wake; the backstop re-check bounds a wake lost to another process's race.
    await job.moveToDelayed(Math.min(since + limit, now + WAIT_BACKSTOP_MS), token);
    // A wake between the try and the park would have found nothing to promote.
    if (this.wakes !== seen) await job.promote().catch(() => undefined);
    throw new DelayedError();
  }

  /** Records the step now holding the build's devices. */
  setStep(id: string, step: string | null): void {
    for (const h of this.holders.values()) if (h.build === id) h.step = step;
  }

  /** Releases the build's devices (idempotent) and wakes waiting builds. */
  release(id: string): void {
    const had = Object.prototype.hasOwnProperty.call(this.d.allocator.snapshot(), id);
    this.d.allocator.release(id);
    for (const [g, h] of this.holders) if (h.build === id) this.holders.delete(g);
    if (!had) return;
    this.wakes++;
    this.changed();
    void this.wake().catch((err: unknown) => this.d.log.warn({ err: String(err) }, 'could not wake GPU waiters'));
  }

  /** Promotes every parked build job of this GPU type so it tries again. */
  private async wake(): Promise<void> {
    for (const w of await this.waiters()) {
      const job = await this.queue.getJob(w.id);
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }
  }

  private async waiters(): Promise<{ member: string; id: string; count: number; since: number }[]> {
    const flat = await this.redis.zrange(this.waitKey, '0', '-1', 'WITHSCORES');
    const out = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i] as string;
      const [id, count] = member.split('|');
      out.push({ member, id: id ?? '', count: Number(count), since: Number(flat[i + 1]) });
    }
    return out;
  }
}
