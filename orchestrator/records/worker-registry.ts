/**
 * The worker registry: each worker writes its capacity and who holds each GPU under a key with a
 * TTL on every heartbeat, so a worker that dies (SIGKILL) vanishes from `/metrics` and
 * `GET /v1/workers` once its key expires. A sorted set indexes the names (by first heartbeat).
 */
import { z } from 'zod';
import type { RedisClient } from './redis-keys.js';
import { parseStored } from './build-view.js';
import type { RedisKeys } from './redis-keys.js';

export const WorkerRecord = z.object({
  name: z.string(),
  host: z.string(),
  gpuType: z.string().nullable(),
  io: z.boolean(),
  gpuIds: z.array(z.string()),
  /** Which build/step holds each GPU (null: free). */
  holders: z.record(z.string(), z.object({ build: z.string(), step: z.string().nullable() }).nullable()),
  lastHeartbeat: z.number(),
  /** Id of the worker's WORK_DIR (shared-work-dir.ts); absent in records of older workers. */
  workDirId: z.string().optional(),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

/** Reads and writes the heartbeat registry. */
export class WorkerRegistry {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Writes this worker's record; it expires after `ttlMs` unless the next beat comes. Indexed when new. */
  async beat(rec: WorkerRecord, ttlMs: number): Promise<void> {
    const before = await this.redis.set(this.keys.worker(rec.name), JSON.stringify(rec), 'PX', ttlMs, 'GET');
    if (before === null) await this.redis.zadd(this.keys.workers, rec.lastHeartbeat, rec.name);
  }

  /** Removes a worker (clean shutdown). */
  async remove(name: string): Promise<void> {
    await this.redis.del(this.keys.worker(name));
    await this.redis.zrem(this.keys.workers, name);
  }

  /** Live workers (expired ones are dropped from the index as they are found). */
  async list(): Promise<WorkerRecord[]> {
    const names = await this.redis.zrange(this.keys.workers, '0', '-1');
    if (names.length === 0) return [];
    const raws = await Promise.all(names.map((n) => this.redis.get(this.keys.worker(n))));
    const out: WorkerRecord[] = [];
    const gone: string[] = [];
    raws.forEach((raw, i) => {
      if (raw) out.push(parseStored(WorkerRecord, raw, 'worker record'));
      else gone.push(names[i] as string);
    });
    if (gone.length > 0) await this.redis.zrem(this.keys.workers, ...gone);
    return out;
  }
}

/** Why a build needing `count` GPUs of `gpuType` waits, from the registry (null: some worker can run it). */
export function waitReason(workers: readonly WorkerRecord[], gpuType: string, count: number): string | null {
  const ofType = workers.filter((w) => w.gpuType === gpuType);
  if (ofType.length === 0) return `waiting for ${count}×${gpuType}: no registered worker serves ${gpuType}`;
  if (!ofType.some((w) => w.gpuIds.length >= count))
    return `waiting for ${count}×${gpuType}: no registered worker has that many`;
  return null;
}
