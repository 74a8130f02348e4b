/**
 * Redis key layout of the build records, under one prefix (e.g. `trt`, or `{trt}` on a Redis
 * Cluster: BullMQ's hash-tag form, so every key of a build, of a queue and of the service lands in
 * one slot and every multi-key command stays legal).
 */

import type { Cluster, Redis } from 'ioredis';

/** A single Redis or a Redis Cluster connection. */
export type RedisClient = Redis | Cluster;

/** Upper bounds (seconds) of the step-duration histogram buckets. */
export const STEP_DURATION_BUCKETS = [1, 10, 60, 300, 900, 3600, 14_400] as const;

/** The status indexes, in the order the write script receives them in KEYS. */
export const STATUS_ORDER = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/** All keys the build store uses, derived from one prefix. */
export function redisKeys(prefix: string) {
  const p = `${prefix}:svc:`;
  return {
    base: p,
    /** The build record: one hash (status, times, plan, config, steps as one JSON array, logSeq …). */
    build: (id: string) => `${p}build:${id}`,
    /** Log lines: a Redis Stream whose entry ids are `<seq>-1`. */
    log: (id: string) => `${p}build:${id}:log`,
    /** The unredacted fetch items (signed URLs) the fetch needs; TTL, deleted when the fetch ends. */
    fetchSecret: (id: string) => `${p}build:${id}:fetch`,
    /** A plan's current build and its generation counter (a hash: build, gen; kept for good). */
    byPlan: (planHash: string) => `${p}plan:${planHash}`,
    index: `${p}index`,
    /** Finished builds by the time their records expire (retention), for pruning the indexes. */
    expiry: `${p}expiry`,
    statusIndex: (status: string) => `${p}status:${status}`,
    stepMetrics: `${p}metrics:steps`,
    counters: `${p}metrics:counters`,
    /** Heartbeat registry: sorted set of worker names by last heartbeat; one key per worker with a TTL. */
    workers: `${p}workers`,
    worker: (name: string) => `${p}worker:${name}`,
    /** Build job ids waiting for GPUs of a type (promoted when a device is released). */
    gpuWait: (gpuType: string) => `${p}gpuwait:${gpuType}`,
    cancelChannel: `${p}cancel`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/** True when `prefix` is BullMQ's Cluster form `{name}` (or contains one hash tag). */
export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}
