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
  /** The step `load` marked running, or null. */
  readonly marked: string | null;
}

/** Identifies a build's keys: its id and plan hash (the plan key expires with the build). */
export interface BuildRef {
  readonly id: string;
  readonly planHash: string;
}

/** What `commitStep` writes. */
export interface StepCommit {
  readonly views: readonly StepView[];
  readonly observe?: { readonly kind: string; readonly seconds: number };
  readonly lines?: readonly Omit<LogEntry, 'seq'>[];
  readonly fetched?: readonly FetchedItem[];
  /** After the last step: the build's final status, in the same command. */
  readonly final?: { readonly status: BuildStatus; readonly nowMs: number; readonly extra?: StatusExtra };
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

export interface StepPatch {
  readonly status?: StepStatus;
  readonly attempts?: number;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
  readonly progress?: number | null;
}

export interface StoreOptions {
  /** Log lines kept per build. */
  readonly logCap?: number;
  /** How long a finished build (record, steps, logs) stays in Redis, ms (default 7 days). */
  readonly retentionMs?: number;
  /** Called after every committed status change (see status-events.ts). */
  readonly onStatus?: (ref: BuildRef, status: BuildStatus, atMs: number) => void;
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

  /** The 13 keys every status-changing script takes (see lua-scripts.ts). */
  private statusKeys(ref: BuildRef): string[] {
    const k = this.keys;
    return [
      k.build(ref.id),
      k.steps(ref.id),
      k.log(ref.id),
      k.logSeq(ref.id),
      k.byPlan(ref.planHash),
      k.fetchSecret(ref.id),
      k.index,
      k.expiry,
      ...STATUS_ORDER.map((s) => k.statusIndex(s)),
    ];
  }

  /** Named arguments of a guarded status change. */
  private statusArgs(id: string, to: BuildStatus, nowMs: number, extra: StatusExtra = {}): object {
    const fields: string[] = [];
    if (extra.error !== undefined) fields.push('error', JSON.stringify(extra.error));
    if (extra.artifacts !== undefined) fields.push('artifacts', JSON.stringify(extra.artifacts));
    if (extra.attempts !== undefined) fields.push('attempts', String(extra.attempts));
    if (to !== 'queued') fields.push('waitReason', '');
    return {
      id,
      to,
      from: allowedFrom(to),
      now: String(nowMs),
      fields,
      expireAt: isTerminal(to) ? String(nowMs + this.retentionMs) : '',
      ttlMs: String(this.retentionMs),
    };
  }

  private changed(ref: BuildRef, to: BuildStatus, nowMs: number, r: unknown): boolean {
    if (r !== 1) return false;
    this.onStatus?.(ref, to, nowMs);
    return true;
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
    const status: BuildStatus = published ? 'succeeded' : 'queued';
    const stepStatus: StepStatus = published ? 'skipped' : 'pending';
    const fetchStep = plan.steps.find((s) => s.kind === 'fetch');
    const signed = fetchStep?.kind === 'fetch' && !published ? secretFetchItems(fetchStep.items) : null;
    const stem = plan.planHash.slice('sha256:'.length, 'sha256:'.length + 16);
    for (let round = 0; round < 20; round++) {
      const [cur, gen] = await Promise.all([
        this.redis.get(k.byPlan(plan.planHash)),
        this.redis.get(k.generation(plan.planHash)),
      ]);
      const id = `${stem}-${Number(gen ?? '0') + 1}`;
      const fields = [
        'id',
        id,
        'planHash',
        plan.planHash,
        'gpuType',
        plan.builder.gpuType,
        'status',
        status,
        'createdAt',
        String(nowMs),
        'updatedAt',
        String(nowMs),
        'plan',
        JSON.stringify(redactUrlsDeep(plan)),
        'artifacts',
        JSON.stringify(published),
        'cancelRequested',
        '0',
        'attempts',
        '0',
        'error',
        'null',
        'stepOrder',
        JSON.stringify(plan.steps.map((s) => s.id)),
        'config',
        JSON.stringify(redactUrlsDeep(config ?? null)),
        'callbackUrl',
        callbackUrl ?? '',
      ];
      const keys = [
        k.byPlan(plan.planHash),
        k.generation(plan.planHash),
        k.build(cur ?? id),
        k.build(id),
        k.steps(id),
        k.fetchSecret(id),
        k.index,
        k.statusIndex(status),
        k.expiry,
      ];
      const res = await runScript<[number, string]>(this.redis, 'trtClaimPlan', keys, {
        expectCur: cur ?? '',
        expectGen: gen ?? '0',
        id,
        fields,
        now: String(nowMs),
        live: LIVE,
        steps: plan.steps.map((s) => [s.id, JSON.stringify(initialStep(s.id, s.kind, stepStatus))]),
        fetch: signed ? JSON.stringify(signed) : '',
        fetchTtlMs: String(FETCH_SECRET_TTL_MS),
        expireAt: published ? String(nowMs + this.retentionMs) : '',
        ttlMs: String(this.retentionMs),
      });
      if (res[0] === 2) continue;
      if (res[0] === 1 && published) this.onStatus?.({ id, planHash: plan.planHash }, 'succeeded', nowMs);
      return { created: res[0] === 1, id: res[1] };
    }
    throw new Error(`could not claim plan ${plan.planHash}: too much contention`);
  }

  /** The build as the API shows it, or null. */
  async get(id: string): Promise<BuildView | null> {
    const [h, s] = await Promise.all([
      this.redis.hmget(
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
        'stepOrder',
        'waitReason',
      ),
      this.redis.hgetall(this.keys.steps(id)),
    ]);
    if (!h[0]) return null;
    const [
      status,
      planHash,
      gpuType,
      createdAt,
      updatedAt,
      cancelRequested,
      attempts,
      artifacts,
      error,
      order,
      waitReason,
    ] = h;
    const rec = RecordFields.safeParse({ status, planHash, gpuType, createdAt, updatedAt, cancelRequested, attempts });
    if (!rec.success) throw new RecordCorruptError(`build record ${id}`);
    const stepOrder = parseStored(z.array(z.string()), order, 'step order');
    const steps = stepOrder.flatMap((sid) => (s[sid] ? [parseStored(StepViewSchema, s[sid], `step ${sid}`)] : []));
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
      steps,
      artifacts: parseStored(ArtifactsSchema.nullable(), artifacts, 'artifacts'),
      error: parseStored(BuildErrorSchema.nullable(), error, 'error'),
      waitReason: r.status === 'queued' && waitReason ? waitReason : null,
    };
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

  /**
   * What a worker needs to start a job, in one command; null when the build does not exist. With
   * `markRunning`, the step of that kind is marked running in the same command when the build is
   * live, no cancel is requested and the step has not succeeded.
   */
  async load(
    id: string,
    markRunning?: { readonly kind: StepKind; readonly atMs: number },
  ): Promise<LoadedBuild | null> {
    const [h, flat, marked] = await runScript<[(string | null)[], string[], string | null]>(
      this.redis,
      'trtLoadBuild',
      [this.keys.build(id), this.keys.steps(id)],
      {
        kind: markRunning?.kind ?? '',
        at: markRunning ? iso(markRunning.atMs) : '',
        live: ['queued', 'running'],
      },
    );
    const [status, cancel, plan, fetched, config] = h;
    if (!status || !plan) return null;
    const st = z.enum(BUILD_STATUSES).safeParse(status);
    if (!st.success) throw new RecordCorruptError(`build status ${id}`);
    const steps = new Map<string, StepView>();
    for (let i = 0; i + 1 < flat.length; i += 2)
      steps.set(flat[i] as string, parseStored(StepViewSchema, flat[i + 1], 'step'));
    return {
      status: st.data,
      cancelRequested: cancel === '1',
      // The shape is checked; the plan was produced by the planner and stored by `claim`.
      plan: parseStored(PlanShape, plan, 'plan') as unknown as BuildPlan,
      steps,
      fetched: fetched ? (parseStored(FetchedShape, fetched, 'fetched items') as unknown as FetchedItem[]) : [],
      config: config ? (JSON.parse(config) as unknown) : null,
      marked: marked || null,
    };
  }

  /** The unredacted fetch items of a build (signed URLs), or null when it had none or they expired. */
  async fetchItems(id: string): Promise<readonly FetchItem[] | null> {
    const raw = await this.redis.get(this.keys.fetchSecret(id));
    return raw ? (parseStored(FetchItemsShape, raw, 'fetch items') as unknown as FetchItem[]) : null;
  }

  /** Deletes the build's signed fetch items (the fetch ended). */
  async dropFetchItems(id: string): Promise<void> {
    await this.redis.del(this.keys.fetchSecret(id));
  }

  /** The start of a build job in one command: status `running` with `attempts`, the first step's running record. */
  async startBuild(ref: BuildRef, nowMs: number, attempts: number, step: StepView | null): Promise<boolean> {
    const r = await runScript(this.redis, 'trtStartBuild', this.statusKeys(ref), {
      status: this.statusArgs(ref.id, 'running', nowMs, { attempts }),
      stepId: step?.id ?? '',
      stepJson: step ? JSON.stringify(step) : '',
    });
    return this.changed(ref, 'running', nowMs, r);
  }

  /** Writes a step's whole record. */
  async writeStep(id: string, view: StepView): Promise<void> {
    await this.redis.hset(this.keys.steps(id), view.id, JSON.stringify(view));
  }

  /**
   * The end of a step in one command: step records, its duration metric, log lines, what a fetch
   * resolved (with cache hit/miss counts), and the final status after the last step. Resolves
   * whether a cancel was requested meanwhile.
   */
  async commitStep(ref: BuildRef, c: StepCommit): Promise<{ cancelRequested: boolean }> {
    const hits = c.fetched ? c.fetched.filter((f) => f.fromCache).length : 0;
    const final = c.final ? this.statusArgs(ref.id, c.final.status, c.final.nowMs, c.final.extra) : '';
    const [cancel, finalChanged] = await runScript<[string, number]>(
      this.redis,
      'trtCommitStep',
      [...this.statusKeys(ref), this.keys.stepMetrics, this.keys.counters],
      {
        views: c.views.map((v) => [v.id, JSON.stringify(v)]),
        observe: c.observe ? { kind: c.observe.kind, seconds: String(c.observe.seconds) } : '',
        buckets: STEP_DURATION_BUCKETS.map(String),
        lines: c.lines ?? [],
        cap: String(this.logCap),
        fetched: c.fetched ? JSON.stringify(redactUrlsDeep(c.fetched)) : '',
        hits: String(hits),
        misses: String((c.fetched?.length ?? 0) - hits),
        final,
      },
    );
    if (c.final) this.changed(ref, c.final.status, c.final.nowMs, finalChanged);
    return { cancelRequested: cancel === '1' };
  }

  /** Appends log lines and sets the latest progress per step in one command; returns the last seq (0 when no lines). */
  async logBatch(
    id: string,
    lines: readonly Omit<LogEntry, 'seq'>[],
    progress: readonly (readonly [string, number])[] = [],
  ): Promise<number> {
    const k = this.keys;
    const r = await runScript(this.redis, 'trtLogBatch', [k.build(id), k.steps(id), k.log(id), k.logSeq(id)], {
      lines,
      cap: String(this.logCap),
      progress: progress.map(([s, p]) => [s, String(p)]),
    });
    return Number(r);
  }

  /** Current status only (cheap), or null when the build does not exist. */
  async status(id: string): Promise<BuildStatus | null> {
    const s = await this.redis.hget(this.keys.build(id), 'status');
    if (s === null) return null;
    const st = z.enum(BUILD_STATUSES).safeParse(s);
    if (!st.success) throw new RecordCorruptError(`build status ${id}`);
    return st.data;
  }

  /** Moves a build to `status` when the state machine allows it; true when it changed. */
  async setStatus(ref: BuildRef, status: BuildStatus, nowMs: number, extra: StatusExtra = {}): Promise<boolean> {
    const r = await runScript(
      this.redis,
      'trtSetStatus',
      this.statusKeys(ref),
      this.statusArgs(ref.id, status, nowMs, extra),
    );
    return this.changed(ref, status, nowMs, r);
  }

  /** Merges `patch` into one step's record. One worker owns a running build, so read-modify-write is safe. */
  async patchStep(id: string, stepId: string, patch: StepPatch): Promise<StepView | null> {
    const raw = await this.redis.hget(this.keys.steps(id), stepId);
    if (!raw) return null;
    const next = { ...parseStored(StepViewSchema, raw, `step ${stepId}`), ...patch };
    await this.redis.hset(this.keys.steps(id), stepId, JSON.stringify(next));
    return next;
  }

  /** Closes every unfinished step: pending ones become `status`, running ones `runningTo`. */
  async closeOpenSteps(id: string, status: StepStatus, nowMs: number, runningTo: StepStatus = status): Promise<void> {
    const all = await this.redis.hgetall(this.keys.steps(id));
    const updates: string[] = [];
    for (const [sid, raw] of Object.entries(all)) {
      const st = parseStored(StepViewSchema, raw, `step ${sid}`);
      if (st.status === 'pending' || st.status === 'running') {
        const running = st.status === 'running';
        updates.push(
          sid,
          JSON.stringify({
            ...st,
            status: running ? runningTo : status,
            finishedAt: running ? iso(nowMs) : st.finishedAt,
          }),
        );
      }
    }
    if (updates.length > 0) await this.redis.hset(this.keys.steps(id), ...updates);
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

  /** Ids of queued builds, oldest first (for the reconciler). */
  async queuedIds(limit: number): Promise<string[]> {
    return this.idsWithStatus('queued', limit);
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
