/**
 * Service metrics kept in Redis so every API replica reports the same numbers: step duration
 * histograms, counters (cache hits), and each live worker's GPUs (from the heartbeat registry, so
 * a dead worker's devices leave `/metrics` when its heartbeat expires).
 */
import type { RedisClient } from './redis-keys.js';
import type { RedisKeys } from './redis-keys.js';
import { WorkerRegistry } from './worker-registry.js';
import type { WorkerRecord } from './worker-registry.js';

/** Upper bounds (seconds) of the step-duration histogram buckets. */
export { STEP_DURATION_BUCKETS } from './redis-keys.js';

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

/** A worker's GPU totals from its registry record. */
export function gpuReportOf(w: WorkerRecord): GpuAllocationReport | null {
  if (w.gpuType === null) return null;
  return {
    gpuType: w.gpuType,
    total: w.gpuIds.length,
    allocated: Object.values(w.holders).filter((h) => h !== null).length,
  };
}

/** Reads the shared metrics. */
export class MetricsStore {
  readonly workers: WorkerRegistry;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.workers = new WorkerRegistry(redis, keys);
  }

  /** Everything, for `/metrics`. */
  async snapshot(): Promise<MetricsSnapshot> {
    const [steps, counters, workers] = await Promise.all([
      this.redis.hgetall(this.keys.stepMetrics),
      this.redis.hgetall(this.keys.counters),
      this.workers.list(),
    ]);
    const gpus: Record<string, GpuAllocationReport> = {};
    for (const w of workers) {
      const r = gpuReportOf(w);
      if (r) gpus[w.name] = r;
    }
    return { steps, counters, gpus };
  }
}
