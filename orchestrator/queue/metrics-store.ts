/**
 * Service metrics kept in Redis so every API replica reports the same numbers: step duration
 * histograms, counters (cache hits), and each worker's GPU allocation.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/** Upper bounds (seconds) of the step-duration histogram buckets. */
export const STEP_DURATION_BUCKETS = [1, 10, 60, 300, 900, 3600, 14_400] as const;

export interface GpuAllocationReport {
  readonly gpuType: string;
  readonly total: number;
  readonly allocated: number;
}

export interface MetricsSnapshot {
  /** `<kind>|sum`, `<kind>|count`, `<kind>|le|<bound>` → value. */
  readonly steps: Readonly<Record<string, string>>;
  readonly counters: Readonly<Record<string, string>>;
  readonly gpus: Readonly<Record<string, GpuAllocationReport>>;
}

/** Writes and reads the shared metrics. */
export class MetricsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Publishes a worker's current GPU allocation. */
  async reportGpus(worker: string, report: GpuAllocationReport): Promise<void> {
    await this.redis.hset(this.keys.gpus, worker, JSON.stringify(report));
  }

  /** Removes a worker's GPU report (on shutdown). */
  async removeWorker(worker: string): Promise<void> {
    await this.redis.hdel(this.keys.gpus, worker);
  }

  /** Everything, for `/metrics`. */
  async snapshot(): Promise<MetricsSnapshot> {
    const [steps, counters, gpus] = await Promise.all([
      this.redis.hgetall(this.keys.stepMetrics),
      this.redis.hgetall(this.keys.counters),
      this.redis.hgetall(this.keys.gpus),
    ]);
    const parsed: Record<string, GpuAllocationReport> = {};
    for (const [w, raw] of Object.entries(gpus)) parsed[w] = JSON.parse(raw) as GpuAllocationReport;
    return { steps, counters, gpus: parsed };
  }
}
