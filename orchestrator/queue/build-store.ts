/**
 * Build records in Redis: status, steps, attempts, artifacts and a capped, numbered log per build.
 * The only place that reads or writes these keys.
 */
import type { Redis } from 'ioredis';
import type { GpuType } from '../gpu/catalog.js';
import type { BuildPlan, StepKind } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type { ArtifactsView, BuildError, BuildStatus, BuildView, LogEntry, StepStatus, StepView } from './build-view.js';
import { BUILD_STATUSES } from './build-view.js';
import { SCRIPT_NAMES, defineScripts, script } from './lua-scripts.js';
import { STEP_DURATION_BUCKETS } from './metrics-store.js';
import type { GpuAllocationReport } from './metrics-store.js';
import { redisKeys } from './redis-keys.js';
import type { RedisKeys } from './redis-keys.js';

export interface LoadedBuild {
  readonly status: BuildStatus;
  readonly cancelRequested: boolean;
  readonly plan: BuildPlan;
  readonly steps: ReadonlyMap<string, StepView>;
  /** What the fetch step resolved (empty until it ran). */
  readonly fetched: readonly FetchedItem[];
  readonly config: unknown;
  /** The step `load` marked running (see `markRunning`), or null. */
  readonly marked: string | null;
}

/** What `commitStep` writes. */
export interface StepCommit {
  readonly views: readonly StepView[];
  readonly observe?: { readonly kind: string; readonly seconds: number };
  readonly lines?: readonly Omit<LogEntry, 'seq'>[];
  readonly fetched?: readonly FetchedItem[];
  /** After the last step: the build's final status, in the same command. */
  readonly final?: { readonly status: BuildStatus; readonly nowMs: number; readonly extra?: StatusExtra };
  /** The worker's GPU allocation report, written in the same command. */
  readonly gpus?: GpuReport | null;
}

/** Extra build fields a status change sets. */
export interface StatusExtra {
  readonly error?: BuildError | null;
  readonly artifacts?: ArtifactsView | null;
  readonly attempts?: number;
}

/** One worker's GPU allocation, as `MetricsStore.reportGpus` writes it. */
export interface GpuReport {
  readonly worker: string;
  readonly report: GpuAllocationReport;
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

export interface StepPatch {
  readonly status?: StepStatus;
  readonly attempts?: number;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
  readonly progress?: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Redis-backed build records. */
export class BuildStore {
  readonly keys: RedisKeys;

  constructor(
    readonly redis: Redis,
    prefix: string,
    private readonly logCap = 10_000,
  ) {
    this.keys = redisKeys(prefix);
    defineScripts(redis);
  }

  /** Returns the live build of this plan, or creates a new one (queued, or succeeded when already published). */
  async claim(plan: BuildPlan, nowMs: number, published: ArtifactsView | null, config: unknown = null): Promise<ClaimResult> {
    const status: BuildStatus = published ? 'succeeded' : 'queued';
    const stepStatus: StepStatus = published ? 'skipped' : 'pending';
    const steps = plan.steps.map((s) => [s.id, JSON.stringify(initialStep(s.id, s.kind, stepStatus))]);
    const res = (await script<Promise<[number, string]>>(this.redis, SCRIPT_NAMES.claimPlan)(
      this.keys.byPlan(plan.planHash),
      this.keys.generation(plan.planHash),
      this.keys.base,
      plan.planHash.slice('sha256:'.length, 'sha256:'.length + 16),
      String(nowMs),
      plan.planHash,
      plan.builder.gpuType,
      JSON.stringify(plan),
      JSON.stringify(steps),
      status,
      JSON.stringify(published),
      JSON.stringify(plan.steps.map((s) => s.id)),
      JSON.stringify(config ?? null),
    ));
    return { created: res[0] === 1, id: res[1] };
  }

  /** The build as the API shows it, or null. */
  async get(id: string): Promise<BuildView | null> {
    // Two reads, not a MULTI: cheaper (an ioredis MULTI copies every script defined on the
    // connection), and a view mixing two consecutive writes is still a valid view.
    const [h, s] = await Promise.all([
      this.redis.hmget(this.keys.build(id), 'status', 'planHash', 'gpuType', 'createdAt', 'updatedAt', 'cancelRequested', 'attempts', 'artifacts', 'error', 'stepOrder'),
      this.redis.hgetall(this.keys.steps(id)),
    ]);
    const [status, planHash, gpuType, createdAt, updatedAt, cancel, attempts, artifacts, error, order] = h;
    if (!status || !planHash || !gpuType || !createdAt || !updatedAt) return null;
    const stepOrder = JSON.parse(order ?? '[]') as string[];
    const steps = stepOrder.flatMap((sid) => {
      const raw = s[sid];
      return raw ? [JSON.parse(raw) as StepView] : [];
    });
    return {
      id,
      status: status as BuildStatus,
      planHash,
      gpuType: gpuType as GpuType,
      createdAt: iso(Number(createdAt)),
      updatedAt: iso(Number(updatedAt)),
      cancelRequested: cancel === '1',
      attempts: Number(attempts ?? '0'),
      steps,
      artifacts: JSON.parse(artifacts ?? 'null') as ArtifactsView | null,
      error: JSON.parse(error ?? 'null') as BuildError | null,
    };
  }

  /**
   * What a worker needs to start a job, in one command; null when the build does not exist. With
   * `markRunning`, the step of that kind is marked running in the same command (attempts + 1,
   * startedAt) when the build is live, no cancel is requested and the step has not succeeded; the
   * returned steps show the marked record.
   */
  async load(id: string, markRunning?: { readonly kind: StepKind; readonly atMs: number }): Promise<LoadedBuild | null> {
    const [h, flat, marked] = await script<Promise<[(string | null)[], string[], string | null]>>(this.redis, SCRIPT_NAMES.loadBuild)(
      this.keys.build(id),
      this.keys.steps(id),
      markRunning?.kind ?? '',
      markRunning ? iso(markRunning.atMs) : '',
    );
    const [status, cancel, plan, fetched, config] = h;
    if (!status || !plan) return null;
    const steps = new Map<string, StepView>();
    for (let i = 0; i + 1 < flat.length; i += 2) steps.set(flat[i] as string, JSON.parse(flat[i + 1] as string) as StepView);
    return {
      status: status as BuildStatus,
      cancelRequested: cancel === '1',
      plan: JSON.parse(plan) as BuildPlan,
      steps,
      fetched: fetched ? (JSON.parse(fetched) as FetchedItem[]) : [],
      config: config ? (JSON.parse(config) as unknown) : null,
      marked: marked || null,
    };
  }

  /**
   * The start of a build job in one command: status `running` with `attempts` (unless terminal),
   * the first step's `running` record, and the worker's GPU report. True when the status changed.
   */
  async startBuild(id: string, nowMs: number, attempts: number, step: StepView | null, gpus: GpuReport | null): Promise<boolean> {
    const r = await script<Promise<unknown>>(this.redis, SCRIPT_NAMES.startBuild)(
      this.keys.build(id),
      this.keys.steps(id),
      this.keys.gpus,
      this.keys.base,
      id,
      String(nowMs),
      String(attempts),
      step?.id ?? '',
      step ? JSON.stringify(step) : '',
      gpus?.worker ?? '',
      gpus ? JSON.stringify(gpus.report) : '',
    );
    return r === 1;
  }

  /** Writes a step's whole record. */
  async writeStep(id: string, view: StepView): Promise<void> {
    await this.redis.hset(this.keys.steps(id), view.id, JSON.stringify(view));
  }

  /**
   * The end of a step in one command (a Lua script): step records (e.g. this one finished and the next one
   * running), its duration metric, log lines, and what a fetch resolved (with cache hit/miss
   * counts). Resolves whether a cancel was requested meanwhile.
   */
  async commitStep(id: string, c: StepCommit): Promise<{ cancelRequested: boolean }> {
    const k = this.keys;
    const hits = c.fetched ? c.fetched.filter((f) => f.fromCache).length : 0;
    const cancel = await script<Promise<string | null>>(this.redis, SCRIPT_NAMES.commitStep)(
      k.steps(id),
      k.stepMetrics,
      k.logs(id),
      k.logSeq(id),
      k.build(id),
      k.counters,
      k.gpus,
      String(this.logCap),
      c.observe?.kind ?? '',
      String(c.observe?.seconds ?? 0),
      STEP_DURATION_BUCKETS.join(','),
      JSON.stringify(c.views.map((v) => [v.id, JSON.stringify(v)])),
      JSON.stringify(c.lines ?? []),
      c.fetched ? JSON.stringify(c.fetched) : '',
      String(hits),
      String((c.fetched?.length ?? 0) - hits),
      c.final?.status ?? '',
      String(c.final?.nowMs ?? 0),
      k.base,
      id,
      c.gpus?.worker ?? '',
      c.gpus ? JSON.stringify(c.gpus.report) : '',
      ...statusPairs(c.final?.extra ?? {}),
    );
    return { cancelRequested: cancel === '1' };
  }

  /** Sets one step's progress (0..1) in place. */
  async setProgress(id: string, stepId: string, progress: number): Promise<void> {
    await script<Promise<unknown>>(this.redis, SCRIPT_NAMES.setProgress)(this.keys.steps(id), stepId, String(progress));
  }

  /** Current status only (cheap), or null when the build does not exist. */
  async status(id: string): Promise<BuildStatus | null> {
    return (await this.redis.hget(this.keys.build(id), 'status')) as BuildStatus | null;
  }

  /** Moves a non-terminal build to `status` (terminal builds never change); true when it changed. */
  async setStatus(
    id: string,
    status: BuildStatus,
    nowMs: number,
    extra: StatusExtra = {},
  ): Promise<boolean> {
    const r = await script<Promise<unknown>>(this.redis, SCRIPT_NAMES.setStatus)(this.keys.build(id), this.keys.base, id, status, String(nowMs), ...statusPairs(extra));
    return r === 1;
  }

  /** Merges `patch` into one step's record. One worker owns a running build, so read-modify-write is safe. */
  async patchStep(id: string, stepId: string, patch: StepPatch): Promise<StepView | null> {
    const raw = await this.redis.hget(this.keys.steps(id), stepId);
    if (!raw) return null;
    const next = { ...(JSON.parse(raw) as StepView), ...patch };
    await this.redis.hset(this.keys.steps(id), stepId, JSON.stringify(next));
    return next;
  }

  /**
   * Closes every unfinished step: pending ones become `status`, running ones `runningTo` (a
   * running step can end `failed` or `cancelled`, never `skipped`).
   */
  async closeOpenSteps(id: string, status: StepStatus, nowMs: number, runningTo: StepStatus = status): Promise<void> {
    const all = await this.redis.hgetall(this.keys.steps(id));
    const updates: string[] = [];
    for (const [sid, raw] of Object.entries(all)) {
      const st = JSON.parse(raw) as StepView;
      if (st.status === 'pending' || st.status === 'running') {
        const running = st.status === 'running';
        updates.push(sid, JSON.stringify({ ...st, status: running ? runningTo : status, finishedAt: running ? iso(nowMs) : st.finishedAt }));
      }
    }
    if (updates.length > 0) await this.redis.hset(this.keys.steps(id), ...updates);
  }

  /** Flags a cancel request (seen by the worker at the next step boundary or via the cancel channel). */
  async requestCancel(id: string): Promise<void> {
    await this.redis.multi().hset(this.keys.build(id), 'cancelRequested', '1').publish(this.keys.cancelChannel, id).exec();
  }

  /** Appends numbered log lines (capped list); returns the last seq. */
  async appendLogs(id: string, lines: readonly Omit<LogEntry, 'seq'>[]): Promise<number> {
    if (lines.length === 0) return 0;
    const r = await script<Promise<unknown>>(this.redis, SCRIPT_NAMES.appendLogs)(this.keys.logs(id), this.keys.logSeq(id), String(this.logCap), ...lines.map((l) => JSON.stringify(l)));
    return Number(r);
  }

  /** Log lines with seq > after, at most `limit`. */
  async readLogs(id: string, after: number, limit: number): Promise<LogPage> {
    const first = await this.redis.lindex(this.keys.logs(id), 0);
    if (!first) return { entries: [], next: after, truncated: false };
    const seq0 = (JSON.parse(first) as LogEntry).seq;
    const start = Math.max(0, after + 1 - seq0);
    const raw = await this.redis.lrange(this.keys.logs(id), start, start + limit - 1);
    const entries = raw.map((r) => JSON.parse(r) as LogEntry);
    const last = entries.at(-1);
    return { entries, next: last ? last.seq : after, truncated: after + 1 < seq0 };
  }

  /** Builds newest first, optionally with one status; `total` counts all matches. */
  async list(status: BuildStatus | null, offset: number, limit: number): Promise<{ items: BuildView[]; total: number }> {
    const key = status ? this.keys.statusIndex(status) : this.keys.index;
    const [ids, total] = await Promise.all([this.redis.zrevrange(key, offset, offset + limit - 1), this.redis.zcard(key)]);
    const views = await Promise.all(ids.map((id) => this.get(id)));
    return { items: views.filter((v): v is BuildView => v !== null), total };
  }

  /** Number of builds in each status. */
  async countByStatus(): Promise<Record<BuildStatus, number>> {
    const counts = await Promise.all(BUILD_STATUSES.map((s) => this.redis.zcard(this.keys.statusIndex(s))));
    return Object.fromEntries(BUILD_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<BuildStatus, number>;
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
  };
}

/** The field/value pairs a status change sets besides status and updatedAt. */
function statusPairs(extra: StatusExtra): string[] {
  const pairs: string[] = [];
  if (extra.error !== undefined) pairs.push('error', JSON.stringify(extra.error));
  if (extra.artifacts !== undefined) pairs.push('artifacts', JSON.stringify(extra.artifacts));
  if (extra.attempts !== undefined) pairs.push('attempts', String(extra.attempts));
  return pairs;
}

function initialStep(id: string, kind: StepKind, status: StepStatus): StepView {
  return { id, kind, status, attempts: 0, startedAt: null, finishedAt: null, progress: null };
}
