/**
 * Build records in Redis: a small read model (status, steps, attempts, artifacts, log stream)
 * written at step boundaries, validated with zod when read. The only place that reads or writes
 * these keys; every status change is checked against build/state-machine.ts inside its script.
 */
import { z } from 'zod';
import { BUILD_TRANSITIONS, isTerminal } from '../build/state-machine.js';
import { GPU_TYPES } from '../gpu/catalog.js';
import type { BuildPlan, FetchItem, StepKind } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type {
  ArtifactsView,
  BuildError,
  BuildStatus,
  BuildView,
  LogEntry,
  StepStatus,
  StepView,
} from './build-view.js';
import {
  ArtifactsSchema,
  BUILD_STATUSES,
  BuildErrorSchema,
  LogEntrySchema,
  RecordCorruptError,
  StepViewSchema,
  parseStored,
} from './build-view.js';
import { defineScripts, runScript } from './lua-scripts.js';
import { redactUrlsDeep, secretFetchItems } from './redact-stored.js';
import { STATUS_ORDER, STEP_DURATION_BUCKETS, redisKeys } from './redis-keys.js';
import type { RedisClient, RedisKeys } from './redis-keys.js';

export type { RedisClient };

export interface LoadedBuild {
  readonly status: BuildStatus;
  readonly cancelRequested: boolean;
  readonly plan: BuildPlan;
  readonly steps: ReadonlyMap<string, StepView>;
  /** What the fetch step resolved (empty until it ran). */
  readonly fetched: readonly FetchedItem[];
  readonly config: unknown;
  /** The load marked a step of the kind it was asked for running: 'resumed' when it was running already (an attempt was lost). */
  readonly marked: 'started' | 'resumed' | null;
  /** The unredacted fetch items (signed URLs), or null when there are none (or they expired). */
  readonly fetchSecret: readonly FetchItem[] | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** One change to a build, written in one command (see WRITE_BUILD in lua-scripts.ts). */
export interface BuildWrite {
  /** Start the first step of this kind not yet succeeded or skipped (attempts + 1), if the build is live and no cancel is requested. */
  readonly mark?: { readonly kind: StepKind; readonly atMs: number };
  /** Whole step records to set. */
  readonly steps?: readonly StepView[];
  /** Fields of one step (e.g. its status and finishedAt). */
  readonly patch?: {
    readonly step: string;
    readonly set: Partial<Pick<StepView, 'status' | 'finishedAt' | 'progress'>>;
  };
  /** The latest progress per step. */
  readonly progress?: readonly (readonly [string, number])[];
  /** End every unfinished step: pending ones become `pending`, running ones `running`. */
  readonly close?: { readonly pending: StepStatus; readonly running: StepStatus };
  readonly lines?: readonly Omit<LogEntry, 'seq'>[];
  /** A step's duration, for the histogram. */
  readonly observe?: { readonly kind: string; readonly seconds: number };
  /** What a fetch resolved (stored redacted; counts cache hits and misses; the signed fetch items are deleted). */
  readonly fetched?: readonly FetchedItem[];
  /** A status change, made only when the state machine allows it. */
  readonly status?: BuildStatus;
  readonly extra?: StatusExtra;
}

export interface WriteResult {
  /** The status changed. */
  readonly changed: boolean;
  readonly cancelRequested: boolean;
}

/** Extra build fields a status change sets. */
export interface StatusExtra {
  readonly error?: BuildError | null;
  readonly artifacts?: ArtifactsView | null;
  readonly attempts?: number;
}

export interface ClaimResult {
  readonly created: boolean;
  readonly id: string;
}

export interface LogPage {
  readonly entries: readonly LogEntry[];
  /** Pass as `after` to get the next page. */
  readonly next: number;
  /** True when lines after `after` were dropped by the cap before they were read. */
  readonly truncated: boolean;
}

export interface StoreOptions {
  /** Log lines kept per build. */
  readonly logCap?: number;
  /** How long a finished build (record and logs) stays in Redis, ms (default 7 days). */
  readonly retentionMs?: number;
  /** Called after every committed status change (see status-events.ts). */
  readonly onStatus?: (id: string, status: BuildStatus, atMs: number) => void;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** How long signed fetch URLs stay in Redis if the fetch never ends (ms). */
const FETCH_SECRET_TTL_MS = 24 * 3600 * 1000;
const LIVE: readonly BuildStatus[] = ['queued', 'running', 'succeeded'];
const iso = (ms: number): string => new Date(ms).toISOString();

const RecordFields = z.object({
  status: z.enum(BUILD_STATUSES),
  planHash: z.string(),
  gpuType: z.enum(GPU_TYPES),
  createdAt: z.coerce.number(),
  updatedAt: z.coerce.number(),
  cancelRequested: z.enum(['0', '1']),
  attempts: z.coerce.number().int().min(0),
});
const PlanShape = z.looseObject({
  planHash: z.string(),
  steps: z.array(z.looseObject({ id: z.string(), kind: z.string() })),
});
const FetchedShape = z.array(z.looseObject({ item: z.looseObject({ repo: z.string() }), fromCache: z.boolean() }));
const FetchItemsShape = z.array(z.looseObject({ repo: z.string(), dest: z.string() }));
const StepsSchema = z.array(StepViewSchema);

/** Statuses from which a build may move to `to` (state machine), plus `to` itself when not final. */
export function allowedFrom(to: BuildStatus): BuildStatus[] {
  return BUILD_STATUSES.filter((s) => BUILD_TRANSITIONS[s].includes(to) || (s === to && !isTerminal(s)));
}

/** Redis-backed build records. */
export class BuildStore {
  readonly keys: RedisKeys;
  readonly logCap: number;
  readonly retentionMs: number;
  private readonly onStatus: StoreOptions['onStatus'];

  constructor(
    readonly redis: RedisClient,
    prefix: string,
    opts: StoreOptions = {},
  ) {
    this.keys = redisKeys(prefix);
    this.logCap = opts.logCap ?? 10_000;
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
    this.onStatus = opts.onStatus;
    defineScripts(redis);
  }

  /**
   * Returns the live build of this plan, or creates a new one (queued, or succeeded when already
   * published). URLs in the plan and config are stored redacted; signed fetch items go to the
   * build's fetch-secret key. `callbackUrl` is stored as given (the API checked it).
   */
  async claim(
    plan: BuildPlan,
    nowMs: number,
    published: ArtifactsView | null,
    config: unknown = null,
    callbackUrl: string | null = null,
  ): Promise<ClaimResult> {
    const k = this.keys;
    const fetchStep = plan.steps.find((s) => s.kind === 'fetch');
    const signed = fetchStep?.kind === 'fetch' && !published ? secretFetchItems(fetchStep.items) : null;
    const stem = plan.planHash.slice('sha256:'.length, 'sha256:'.length + 16);
    const view = (id: string) => viewOfNewBuild(id, plan, nowMs, published);
    for (let round = 0; round < 20; round++) {
      const [cur, gen] = await this.redis.hmget(k.byPlan(plan.planHash), 'build', 'gen');
      const id = `${stem}-${Number(gen ?? '0') + 1}`;
      const v = view(id);
      const fields = {
        id,
        planHash: plan.planHash,
        gpuType: plan.builder.gpuType,
        status: v.status,
        createdAt: String(nowMs),
        updatedAt: String(nowMs),
        plan: JSON.stringify(redactUrlsDeep(plan)),
        artifacts: JSON.stringify(published),
        cancelRequested: '0',
        attempts: '0',
        error: 'null',
        steps: JSON.stringify(v.steps),
        config: JSON.stringify(redactUrlsDeep(config ?? null)),
        callbackUrl: callbackUrl ?? '',
      };
      const keys = [
        k.byPlan(plan.planHash),
        k.build(cur ?? id),
        k.build(id),
        k.index,
        k.statusIndex(v.status),
        k.expiry,
        k.fetchSecret(id),
      ];
      const res = await runScript<[number, string]>(this.redis, 'trtClaimPlan', keys, {
        expectCur: cur ?? '',
        expectGen: gen ?? '0',
        id,
        fields: Object.entries(fields).flat(),
        now: String(nowMs),
        live: LIVE,
        fetch: signed ? JSON.stringify(signed) : '',
        fetchTtlMs: String(FETCH_SECRET_TTL_MS),
        expireAt: published ? String(nowMs + this.retentionMs) : '',
        ttlMs: String(this.retentionMs),
      });
      if (res[0] === 2) continue;
      if (res[0] === 1 && published) this.onStatus?.(id, 'succeeded', nowMs);
      return { created: res[0] === 1, id: res[1] };
    }
    throw new Error(`could not claim plan ${plan.planHash}: too much contention`);
  }

  /** The build as the API shows it, or null. */
  async get(id: string): Promise<BuildView | null> {
    const h = await this.redis.hmget(
      this.keys.build(id),
      'status',
      'planHash',
      'gpuType',
      'createdAt',
      'updatedAt',
      'cancelRequested',
      'attempts',
      'artifacts',
      'error',
      'steps',
      'waitReason',
    );
    const [status, planHash, gpuType, createdAt, updatedAt, cancelRequested, attempts, artifacts, error, steps, wait] =
      h;
    if (!status) return null;
    const rec = RecordFields.safeParse({ status, planHash, gpuType, createdAt, updatedAt, cancelRequested, attempts });
    if (!rec.success) throw new RecordCorruptError(`build record ${id}`);
    const r = rec.data;
    return {
      id,
      status: r.status,
      planHash: r.planHash,
      gpuType: r.gpuType,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
      cancelRequested: r.cancelRequested === '1',
      attempts: r.attempts,
      steps: parseStored(StepsSchema, steps, 'steps'),
      artifacts: parseStored(ArtifactsSchema.nullable(), artifacts, 'artifacts'),
      error: parseStored(BuildErrorSchema.nullable(), error, 'error'),
      waitReason: r.status === 'queued' && wait ? wait : null,
    };
  }

  /**
   * Every change to a build in one command (the status change guarded by the state machine);
   * with `load`, also what a worker needs to run it. Resolves null when the build does not exist.
   */
  async write(id: string, w: BuildWrite, nowMs: number): Promise<WriteResult | null> {
    const r = await this.run(id, w, nowMs, false);
    return r && { changed: r.changed, cancelRequested: r.cancelRequested };
  }

  /**
   * What a worker needs to run a job, in one command; null when the build does not exist. With
   * `mark`, a step of that kind is marked running in the same command (see BuildWrite.mark).
   */
  async load(id: string, mark?: BuildWrite['mark']): Promise<LoadedBuild | null> {
    const r = await this.run(id, mark ? { mark } : {}, mark?.atMs ?? 0, true);
    const raw = r?.loaded;
    if (!r || !raw) return null;
    const [status, plan, fetched, config, steps, createdAt, updatedAt, secret] = raw;
    const st = z.enum(BUILD_STATUSES).safeParse(status);
    if (!st.success || !plan) throw new RecordCorruptError(`build record ${id}`);
    return {
      status: st.data,
      cancelRequested: r.cancelRequested,
      // The shape is checked; the plan was produced by the planner and stored by `claim`.
      plan: parseStored(PlanShape, plan, 'plan') as unknown as BuildPlan,
      steps: new Map(parseStored(StepsSchema, steps, 'steps').map((s) => [s.id, s])),
      fetched: fetched ? (parseStored(FetchedShape, fetched, 'fetched items') as unknown as FetchedItem[]) : [],
      config: config ? (JSON.parse(config) as unknown) : null,
      marked: r.marked === 2 ? 'resumed' : r.marked === 1 ? 'started' : null,
      fetchSecret: secret ? (parseStored(FetchItemsShape, secret, 'fetch items') as unknown as FetchItem[]) : null,
      createdAtMs: Number(createdAt),
      updatedAtMs: Number(updatedAt),
    };
  }

  private async run(id: string, w: BuildWrite, nowMs: number, load: boolean) {
    const k = this.keys;
    const keys = [
      k.build(id),
      k.log(id),
      k.fetchSecret(id),
      k.index,
      k.expiry,
      ...STATUS_ORDER.map((s) => k.statusIndex(s)),
      k.stepMetrics,
      k.counters,
    ];
    const hits = w.fetched ? w.fetched.filter((f) => f.fromCache).length : 0;
    const args = {
      id,
      now: String(nowMs),
      ...(w.mark ? { mark: { kind: w.mark.kind, at: iso(w.mark.atMs) } } : {}),
      ...(w.steps ? { steps: w.steps } : {}),
      ...(w.progress?.length ? { progress: w.progress } : {}),
      ...(w.patch ? { patch: w.patch } : {}),
      ...(w.close ? { close: { ...w.close, at: iso(nowMs) } } : {}),
      ...(w.lines?.length ? { lines: w.lines, cap: String(this.logCap) } : {}),
      ...(w.observe
        ? { observe: { kind: w.observe.kind, seconds: String(w.observe.seconds) }, buckets: STEP_DURATION_BUCKETS }
        : {}),
      ...(w.fetched
        ? { fetched: JSON.stringify(redactUrlsDeep(w.fetched)), hits, misses: w.fetched.length - hits }
        : {}),
      ...(w.status ? this.statusArgs(w.status, nowMs, w.extra) : {}),
      ...(load ? { load: true } : {}),
    };
    const r = await runScript<[number, string?, number?, (string | null)[]?]>(this.redis, 'trtWriteBuild', keys, args);
    if (r[0] === -1) return null;
    const changed = r[0] === 1;
    if (changed && w.status) this.onStatus?.(id, w.status, nowMs);
    return { changed, cancelRequested: r[1] === '1', marked: r[2] ?? 0, loaded: r[3] || null };
  }

  /** Named arguments of a guarded status change. */
  private statusArgs(to: BuildStatus, nowMs: number, extra: StatusExtra = {}): object {
    const fields: string[] = [];
    if (extra.error !== undefined) fields.push('error', JSON.stringify(extra.error));
    if (extra.artifacts !== undefined) fields.push('artifacts', JSON.stringify(extra.artifacts));
    if (extra.attempts !== undefined) fields.push('attempts', String(extra.attempts));
    if (to !== 'queued') fields.push('waitReason', '');
    return {
      to,
      from: allowedFrom(to),
      fields,
      ...(isTerminal(to) ? { expireAt: String(nowMs + this.retentionMs), ttlMs: String(this.retentionMs) } : {}),
    };
  }

  /** Moves a build to `status` when the state machine allows it (closing open steps with `close`); true when it changed. */
  async setStatus(
    id: string,
    status: BuildStatus,
    nowMs: number,
    extra: StatusExtra = {},
    close?: BuildWrite['close'],
  ): Promise<boolean> {
    return (await this.write(id, { status, extra, ...(close ? { close } : {}) }, nowMs))?.changed ?? false;
  }

  /** Appends log lines and sets the latest progress per step, in one command. */
  async logBatch(
    id: string,
    lines: readonly Omit<LogEntry, 'seq'>[],
    progress: readonly (readonly [string, number])[] = [],
  ): Promise<void> {
    await this.write(id, { lines, progress }, 0);
  }

  /** Records why a queued build waits (cleared when it starts). */
  async setWaitReason(id: string, reason: string): Promise<void> {
    await this.redis.hset(this.keys.build(id), 'waitReason', reason);
  }

  /**
   * When the build was first seen with no worker able to run it: set to `nowMs` unless already set
   * (one command), then read back.
   */
  async unservedSince(id: string, nowMs: number): Promise<number> {
    const key = this.keys.build(id);
    await this.redis.hsetnx(key, 'unservedSince', String(nowMs));
    return parseStored(z.number().int().min(0), await this.redis.hget(key, 'unservedSince'), 'unserved since');
  }

  /** A capable worker is back: the unserved clock starts again next time. */
  async clearUnservedSince(id: string): Promise<void> {
    await this.redis.hdel(this.keys.build(id), 'unservedSince');
  }

  /** The submit's callback URL ('' when none). */
  async callbackUrl(id: string): Promise<string | null> {
    return (await this.redis.hget(this.keys.build(id), 'callbackUrl')) || null;
  }

  /** Current status only (cheap), or null when the build does not exist. */
  async status(id: string): Promise<BuildStatus | null> {
    const s = await this.redis.hget(this.keys.build(id), 'status');
    if (s === null) return null;
    const st = z.enum(BUILD_STATUSES).safeParse(s);
    if (!st.success) throw new RecordCorruptError(`build status ${id}`);
    return st.data;
  }

  /** Flags a cancel request (seen by the worker at the next step boundary or via the cancel channel). */
  async requestCancel(id: string): Promise<void> {
    await this.redis.hset(this.keys.build(id), 'cancelRequested', '1');
    await this.redis.publish(this.keys.cancelChannel, id);
  }

  /** Log lines with seq > after, at most `limit`. */
  async readLogs(id: string, after: number, limit: number): Promise<LogPage> {
    const key = this.keys.log(id);
    const [first, raw] = await Promise.all([
      this.redis.xrange(key, '-', '+', 'COUNT', 1),
      this.redis.xrange(key, `${after + 1}-0`, '+', 'COUNT', limit),
    ]);
    const entries = raw.filter(([, f]) => f[0] === 'e').map(([, f]) => parseStored(LogEntrySchema, f[1], 'log line'));
    const seq0 = first[0] ? Number(first[0][0].split('-')[0]) : after + 1;
    const lastId = raw.at(-1)?.[0];
    return { entries, next: lastId ? Number(lastId.split('-')[0]) : after, truncated: after + 1 < seq0 };
  }

  /** Builds newest first, optionally with one status; `total` counts all matches. */
  async list(
    status: BuildStatus | null,
    offset: number,
    limit: number,
  ): Promise<{ items: BuildView[]; total: number }> {
    const key = status ? this.keys.statusIndex(status) : this.keys.index;
    const [ids, total] = await Promise.all([
      this.redis.zrevrange(key, offset, offset + limit - 1),
      this.redis.zcard(key),
    ]);
    const views = await Promise.all(ids.map((id) => this.get(id)));
    return { items: views.filter((v): v is BuildView => v !== null), total };
  }

  /** Number of builds in each status. */
  async countByStatus(): Promise<Record<BuildStatus, number>> {
    const counts = await Promise.all(BUILD_STATUSES.map((s) => this.redis.zcard(this.keys.statusIndex(s))));
    return Object.fromEntries(BUILD_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<BuildStatus, number>;
  }

  /** Ids of builds with `status`, oldest first. */
  async idsWithStatus(status: BuildStatus, limit: number): Promise<string[]> {
    return this.redis.zrange(this.keys.statusIndex(status), '0', String(limit - 1));
  }
}

/** The view of a build `claim` just created (what `get` would read back), without a round trip. */
export function viewOfNewBuild(id: string, plan: BuildPlan, nowMs: number, published: ArtifactsView | null): BuildView {
  const stepStatus: StepStatus = published ? 'skipped' : 'pending';
  return {
    id,
    status: published ? 'succeeded' : 'queued',
    planHash: plan.planHash,
    gpuType: plan.builder.gpuType,
    createdAt: iso(nowMs),
    updatedAt: iso(nowMs),
    cancelRequested: false,
    attempts: 0,
    steps: plan.steps.map((st) => initialStep(st.id, st.kind, stepStatus)),
    artifacts: published,
    error: null,
    waitReason: null,
  };
}

function initialStep(id: string, kind: StepKind, status: StepStatus): StepView {
  return { id, kind, status, attempts: 0, startedAt: null, finishedAt: null, progress: null };
}
