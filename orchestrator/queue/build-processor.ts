/**
 * The processor of every job of a build's flow (job-catalog.ts): `fetch` and `publish` on `io`, the
 * GPU steps on `build-<GPUTYPE>` (with GPUs from gpu-gate.ts). Each job runs the plan's steps of its
 * stage in order, skipping completed ones (a retried or recovered build resumes), writes one record
 * change per step boundary (pipelined), and hands every failure — a step's, a fetch's, a publish's,
 * a stalled worker's — to the one failure path (`settleFailure` → `decideOutcome`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import type { Failure } from '../build/failure.js';
import { storedFailure } from '../build/failure.js';
import type { ContainerStep, FetchStep, PlanStep, PublishStep } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type { BuildStore, BuildWrite, LoadedBuild, WriteResult } from '../records/build-store.js';
import type { ArtifactsView, BuildError, BuildStatus, StepView } from '../records/build-view.js';
import { isTerminal } from '../build/state-machine.js';
import { AttemptFailedError, LOCK_LOST_REASON, SHUTDOWN_REASON, failureOf } from './failure-data.js';
import type { GpuGate } from './gpu-gate.js';
import { BuildJobData, JOB_NAMES, JobName, stageOfStep, stagesOf } from './job-catalog.js';
import { LogSink } from '../records/log-sink.js';
import type { WorkerDeps } from './ports.js';

export interface RunContext {
  readonly d: WorkerDeps;
  readonly store: BuildStore;
  /** This worker's host (container labels). */
  readonly host: string;
  /** The GPU side (null on an IO-only worker). */
  readonly gpus: GpuGate | null;
}

export interface StageResult {
  readonly status: BuildStatus;
}

/** Per-build workspace (WORK_DIR is shared by the workers of every stage). */
export function workspaceDirFor(workDir: string, buildId: string): string {
  return join(workDir, 'builds', buildId);
}

/** Secret values for the names a step lists (and only those). */
export function pickSecrets(
  all: Readonly<Record<string, string>>,
  names: readonly (string | null)[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (n !== null && Object.prototype.hasOwnProperty.call(all, n)) out[n] = all[n] as string;
  return out;
}

/** The 1-based attempt of a job: failed attempts and stall recoveries count, GPU waits do not. */
function attemptOf(job: Job<unknown>): number {
  return job.attemptsMade + (job.stalledCounter ?? 0) + 1;
}

/** BullMQ processor body for every job of a build's flow (the stage is the job's name). */
export async function processStage(
  job: Job<unknown>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  rc: RunContext,
): Promise<StageResult> {
  const data = BuildJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  const stage = JobName.parse(job.name);
  const published = stage === JOB_NAMES.build ? d.publisher.published(data.planHash) : null;
  published?.catch(() => undefined); // awaited below unless the job ends first
  // An io stage's step is marked running by the load itself (one command); GPU steps start after the GPUs.
  const loaded = await store.load(id, stage === JOB_NAMES.build ? undefined : { kind: stage, atMs: d.now() });
  if (loaded === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  const stages = stagesOf(loaded.plan).map((s) => s.name);
  if (isTerminal(loaded.status)) {
    // The build ended elsewhere (a cancel, a sweep): a stage before the last ends the rest of the flow.
    if (stages.at(-1) !== stage) throw new UnrecoverableError(`BUILD_FINISHED: ${loaded.status}`);
    return { status: loaded.status };
  }
  const ctx: StageRun = {
    rc,
    job,
    token,
    id,
    stage,
    attempt: attemptOf(job),
    first: stages[0] === stage,
    last: stages.at(-1) === stage,
    abort: signal ?? new AbortController().signal,
  };
  if (loaded.cancelRequested) return cancelled(ctx);
  const todo = loaded.plan.steps.filter(
    (s) => stageOfStep(s.kind) === stage && !['succeeded', 'skipped'].includes(loaded.steps.get(s.id)?.status ?? ''),
  );
  const lost = loaded.marked
    ? loaded.marked === 'resumed' && todo[0]
    : todo.find((s) => loaded.steps.get(s.id)?.status === 'running');
  if (lost && (job.stalledCounter ?? 0) > 0) {
    // A takeover: the worker of an earlier attempt stopped renewing the lock in this step.
    const failure: Failure = {
      code: 'WORKER_LOST',
      message: `the job stalled ${job.stalledCounter} time(s): its worker stopped renewing the lock`,
      advice: 'check the worker hosts: a worker was killed or lost Redis repeatedly',
      retryable: true,
    };
    if ((await settleFailure(ctx, lost.id, failure, { resume: true })) === 'cancelled') return cancelled(ctx);
    // Going on: a GPU step waits for GPUs first, so it is pending until then (asked once, not at every wake).
    if (!loaded.marked) await store.write(id, { patch: { step: lost.id, set: { status: 'pending' } } }, d.now());
  }
  if (stage !== JOB_NAMES.build) return runSteps(ctx, loaded, todo, null);
  // A takeover: stop what an earlier attempt may still run on this host before anything starts.
  if (ctx.attempt > 1 && d.fence) await d.fence.stopBuild(id);
  const already = await published;
  if (already) {
    await store.setStatus(id, 'succeeded', d.now(), { artifacts: already, error: null }, CLOSE_PUBLISHED);
    return { status: 'succeeded' };
  }
  if (!rc.gpus) throw new UnrecoverableError('INTERNAL_ERROR: build job on a worker without GPUs');
  const got = await rc.gpus.acquire(job, token, id, loaded.plan.builder.gpuCount, (r) => store.setWaitReason(id, r));
  if (!Array.isArray(got)) return failFinal(ctx, null, storedFailure(got as Failure));
  try {
    d.log.info({ buildId: id, attempt: ctx.attempt, gpuIds: got, worker: d.workerName }, 'build started');
    return await runSteps(ctx, loaded, todo, got as readonly string[]);
  } finally {
    rc.gpus.release(id);
  }
}

/** What one job run knows about itself. */
interface StageRun {
  readonly rc: RunContext;
  readonly job: Job<unknown>;
  readonly token: string | undefined;
  readonly id: string;
  readonly stage: JobName;
  readonly attempt: number;
  /** The flow's first stage (it creates the workspace). */
  readonly first: boolean;
  /** The flow's last stage: its last step ends the build. */
  readonly last: boolean;
  readonly abort: AbortSignal;
}

/** What a step produced besides success. */
interface StepOutput {
  readonly summary?: string;
  readonly fetched?: readonly FetchedItem[];
  readonly artifacts?: ArtifactsView;
}

const CLOSE_SKIPPED = { pending: 'skipped', running: 'failed' } as const;
/** Another build of the plan published it: nothing of this one runs. */
const CLOSE_PUBLISHED = { pending: 'skipped', running: 'cancelled' } as const;

async function runSteps(
  ctx: StageRun,
  loaded: LoadedBuild,
  todo: readonly PlanStep[],
  gpuIds: readonly string[] | null,
): Promise<StageResult> {
  const { rc, id, stage, attempt } = ctx;
  const { d, store } = rc;
  const workspaceDir = workspaceDirFor(d.workDir, id);
  const sink = new LogSink(store, id, d.log, d.now);
  const writes = new PendingWrites();
  const runningView = (step: PlanStep, at: number): StepView => {
    const view = loaded.steps.get(step.id) ?? pendingStep(step);
    return { ...view, status: 'running', attempts: view.attempts + 1, startedAt: iso(at), finishedAt: null };
  };
  // The stage that holds the build's compute (GPU steps, else publish) marks it running.
  const startsBuild = stage === JOB_NAMES.build || !loaded.plan.steps.some((s) => stageOfStep(s.kind) === 'build');
  let started = d.now();
  const marked = loaded.marked && todo[0] ? loaded.steps.get(todo[0].id) : undefined;
  let running = marked ?? (todo[0] ? runningView(todo[0], started) : null);
  const start: BuildWrite = startsBuild ? { status: 'running', extra: { attempts: attempt } } : {};
  if (startsBuild || !marked)
    writes.add(store.write(id, { ...start, ...(running && !marked ? { steps: [running] } : {}) }, started));
  try {
    // The flow's first stage creates the workspace (WORK_DIR is shared by the workers of every stage).
    if (ctx.first) await mkdir(workspaceDir, { recursive: true });
    const base = { loaded, workspaceDir, gpuIds: gpuIds ?? [], sink };
    let out: StepOutput = {};
    for (const [i, step] of todo.entries()) {
      if (!running) break;
      rc.gpus?.setStep(id, step.id);
      d.log.info({ buildId: id, step: step.id, attempt }, 'step started');
      const result = ctx.abort.aborted ? 'cancelled' : await runStep(ctx, { ...base, step, writes });
      if (result === 'cancelled') {
        await writes.flush();
        return await stopOnAbort(ctx, step.id, running);
      }
      out = result;
      const finished = d.now();
      const done: StepView = { ...running, status: 'succeeded', finishedAt: iso(finished), progress: 1 };
      const next = todo[i + 1];
      const nextRunning = next ? runningView(next, finished) : null;
      if (out.summary) sink.line(step.id, 'system', out.summary);
      const lines = await sink.take();
      if (!next && gpuIds) rc.gpus?.release(id);
      const final: BuildWrite =
        next || !ctx.last ? {} : { status: 'succeeded', extra: { error: null, artifacts: out.artifacts ?? null } };
      const seconds = (finished - started) / 1000;
      writes.add(
        store.write(
          id,
          {
            steps: nextRunning ? [done, nextRunning] : [done],
            observe: { kind: step.kind, seconds },
            lines,
            ...(out.fetched ? { fetched: out.fetched } : {}),
            ...final,
          },
          finished,
        ),
      );
      d.log.info({ buildId: id, step: step.id, seconds }, 'step succeeded');
      started = finished;
      running = nextRunning;
    }
    const end = await writes.flush();
    if (!ctx.last && end?.cancelRequested) return await cancelled(ctx);
    if (todo.length === 0 && ctx.last) await store.setStatus(id, 'succeeded', d.now(), { error: null });
    d.log.info({ buildId: id, attempt }, ctx.last ? 'build succeeded' : `${stage} succeeded`);
    return { status: ctx.last ? 'succeeded' : 'running' };
  } finally {
    await sink.close();
  }
}

/** A fresh step record. */
function pendingStep(step: PlanStep): StepView {
  return {
    id: step.id,
    kind: step.kind,
    status: 'pending',
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    progress: null,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Writes sent but not yet awaited. Commands on one connection reach Redis in the order they were
 * sent, so a later write never overtakes an earlier one; `flush` waits for all, throws the first
 * error, and resolves the last write's result.
 */
class PendingWrites {
  private pending: Promise<WriteResult | null>[] = [];

  add(p: Promise<WriteResult | null>): void {
    p.catch(() => undefined); // flushed (and thrown) later
    this.pending.push(p);
  }

  async flush(): Promise<WriteResult | null> {
    const all = this.pending;
    this.pending = [];
    const results = await Promise.allSettled(all);
    const err = results.find((r) => r.status === 'rejected');
    if (err) throw err.reason;
    const lastWrite = results.at(-1);
    return lastWrite?.status === 'fulfilled' ? lastWrite.value : null;
  }
}

interface StepRun {
  readonly loaded: LoadedBuild;
  readonly step: PlanStep;
  readonly workspaceDir: string;
  readonly gpuIds: readonly string[];
  readonly sink: LogSink;
  /** The stage's pipelined writes (flushed before a step's failure is recorded). */
  readonly writes: PendingWrites;
}

/** Runs one kind of step: its output on success, 'cancelled' when aborted, or a Failure. */
type StepRunner<S extends PlanStep> = (
  ctx: StageRun,
  r: StepRun,
  step: S,
) => Promise<StepOutput | 'cancelled' | Failure>;

/** One runner per step kind: a new kind in plan/types.ts does not compile until it has one here. */
const STEP_RUNNERS: { readonly [K in PlanStep['kind']]: StepRunner<Extract<PlanStep, { kind: K }>> } = {
  fetch: runFetch,
  convert: runContainer,
  quantize: runContainer,
  engine_build: runContainer,
  publish: runPublish,
};

async function runStep(ctx: StageRun, r: StepRun): Promise<StepOutput | 'cancelled'> {
  const run = STEP_RUNNERS[r.step.kind] as StepRunner<PlanStep>;
  const res = await run(ctx, r, r.step);
  if (res === 'cancelled' || !('code' in res)) return res;
  r.sink.line(r.step.id, 'system', `${r.step.kind} failed: ${res.code}: ${res.message}`);
  await r.writes.flush();
  await r.sink.close();
  return settleFailure(ctx, r.step.id, res);
}

/** Downloads the plan's checkpoint, adapters and calibration data (signed URLs from the fetch secret). */
async function runFetch(ctx: StageRun, r: StepRun, step: FetchStep): Promise<StepOutput | 'cancelled' | Failure> {
  const { d } = ctx.rc;
  const plan = r.loaded.plan;
  try {
    const signed = r.loaded.fetchSecret;
    const items = signed && signed.length === step.items.length ? signed : step.items;
    const short = d.diskCheck ? await d.diskCheck(plan, r.workspaceDir) : null;
    if (short !== null) return { code: 'WORKER_DISK_FULL', message: short, advice: null, retryable: false };
    const secrets = pickSecrets(
      d.secrets,
      step.items.map((i) => i.secretName),
    );
    const fetched = await d.fetchItems(items, {
      workspaceDir: r.workspaceDir,
      workspaceMount: plan.workspace.mount,
      secrets,
      signal: ctx.abort,
    });
    const hits = fetched.filter((f) => f.fromCache).length;
    return { fetched, summary: `fetched ${fetched.length} item(s), ${hits} from cache` };
  } catch (err) {
    return ctx.abort.aborted ? 'cancelled' : failureOf(err, 'FETCH_FAILED');
  }
}

async function runContainer(
  ctx: StageRun,
  r: StepRun,
  step: ContainerStep,
): Promise<StepOutput | 'cancelled' | Failure> {
  const { d, host, gpus } = ctx.rc;
  const labels = { build: ctx.id, step: step.id, attempt: ctx.attempt, worker: d.workerName, host };
  const key = `${labels.build}/${labels.step}/${labels.attempt}`;
  gpus?.keep.add(key);
  try {
    const outcome = await d.executor.run(step, {
      workspaceDir: r.workspaceDir,
      workspaceMount: r.loaded.plan.workspace.mount,
      gpuIds: r.gpuIds,
      secrets: pickSecrets(d.secrets, step.secretEnv),
      runName: `trt-${ctx.id}-${step.id.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${d.newRunId()}`,
      signal: ctx.abort,
      onLine: (line, stream) => r.sink.line(step.id, stream, line),
      labels,
    });
    if (outcome.ok) return {};
    return ctx.abort.aborted ? 'cancelled' : outcome.failure;
  } finally {
    gpus?.keep.delete(key);
  }
}

/** Uploads the bundle (files first, manifest last). */
async function runPublish(ctx: StageRun, r: StepRun, step: PublishStep): Promise<StepOutput | 'cancelled' | Failure> {
  const { plan, fetched, config } = r.loaded;
  try {
    const out = await ctx.rc.d.publisher.publish({ plan, step, workspaceDir: r.workspaceDir, fetched, config });
    const summary = out.alreadyPublished ? 'already published' : `published ${out.artifacts.manifest}`;
    return { summary, artifacts: out.artifacts };
  } catch (err) {
    return ctx.abort.aborted ? 'cancelled' : failureOf(err, 'PUBLISH_FAILED');
  }
}

/**
 * The one failure path: `decideOutcome` decides, and this adapter turns the decision into BullMQ's
 * terms. retry → step pending, build queued, AttemptFailedError (BullMQ's backoff uses its delay),
 * or with `resume` (a stalled attempt taken over) the job goes on; fail → step failed, build failed,
 * UnrecoverableError; cancel → resolves 'cancelled'.
 */
async function settleFailure(
  ctx: StageRun,
  stepId: string,
  failure: Failure,
  opts: { readonly resume?: boolean } = {},
): Promise<'cancelled' | StepOutput> {
  const { d, store } = ctx.rc;
  const { id, attempt } = ctx;
  const decision = d.decideOutcome(failure, attempt);
  const maxAttempts = ctx.job.opts.attempts ?? 1;
  switch (decision.action) {
    case 'cancel':
      return 'cancelled';
    case 'retry':
      if (opts.resume) {
        d.log.warn({ buildId: id, step: stepId, code: failure.code, attempt }, 'resuming a lost attempt');
        return {};
      }
      if (attempt < maxAttempts) {
        const patch = { step: stepId, set: { status: 'pending', finishedAt: iso(d.now()) } } as const;
        await store.write(id, { patch, status: 'queued', extra: { error: storedFailure(failure) } }, d.now());
        d.log.info({ buildId: id, step: stepId, code: failure.code, attempt, delayMs: decision.delayMs }, 'will retry');
        throw new AttemptFailedError(failure, decision.delayMs);
      }
      return failFinal(ctx, stepId, storedFailure(failure));
    case 'fail':
      return failFinal(ctx, stepId, {
        code: decision.code,
        message: failure.message,
        advice: decision.advice ?? failure.advice,
      });
    default: {
      const never: never = decision;
      return never;
    }
  }
}

/** The build failed for good: the step failed, the rest skipped, then UnrecoverableError ends the flow. */
async function failFinal(ctx: StageRun, stepId: string | null, error: BuildError): Promise<never> {
  const { d, store } = ctx.rc;
  const now = d.now();
  const step: BuildWrite = stepId ? { patch: { step: stepId, set: { status: 'failed', finishedAt: iso(now) } } } : {};
  await store.write(ctx.id, { ...step, close: CLOSE_SKIPPED, status: 'failed', extra: { error } }, now);
  d.log.info({ buildId: ctx.id, step: stepId, code: error.code }, 'build failed');
  throw new UnrecoverableError(error.code);
}

/** The job was aborted in a step: lost lock, worker shutdown, or a cancel. */
async function stopOnAbort(ctx: StageRun, stepId: string, running: StepView): Promise<StageResult> {
  const { rc, abort } = ctx;
  if (abort.reason === LOCK_LOST_REASON) {
    // Another worker may own the job now: write nothing, let BullMQ's lock rules decide.
    throw new Error('LOCK_LOST');
  }
  if (abort.reason === SHUTDOWN_REASON) {
    // Hand the build back: the step runs again on the next worker (partial files stay for the resume).
    const back: StepView = { ...running, status: 'pending', finishedAt: null, progress: null };
    const status: BuildWrite = ctx.stage === JOB_NAMES.build ? { status: 'queued' } : {};
    await rc.store.write(ctx.id, { steps: [back], ...status }, rc.d.now());
    rc.d.log.info({ buildId: ctx.id, step: stepId }, 'job handed back (worker shutdown)');
    await ctx.job.moveToWait(ctx.token);
    throw new WaitingError();
  }
  return cancelled(ctx);
}

/** Marks the build cancelled (open steps too); a stage before the last also ends the rest of the flow. */
async function cancelled(ctx: StageRun): Promise<StageResult> {
  const { d, store } = ctx.rc;
  await store.setStatus(ctx.id, 'cancelled', d.now(), {}, { pending: 'cancelled', running: 'cancelled' });
  d.log.info({ buildId: ctx.id }, 'build cancelled');
  if (!ctx.last) throw new UnrecoverableError('BUILD_CANCELLED');
  return { status: 'cancelled' };
}
