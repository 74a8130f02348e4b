/**
 * The build job: take GPUs (gpu-gate.ts), run the plan's GPU steps in order (skipping completed
 * ones, so a retried or recovered build resumes), record status/progress/logs, and hand every
 * failure to the one failure path (`settleFailure`). Fetch and publish are the jobs before and after
 * it on the `io` queue (io-processor.ts). Redis writes are batched per step boundary and pipelined.
 */
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import type { Failure } from '../build/failure.js';
import { storedFailure } from '../build/failure.js';
import type { BuildPlan, ContainerStep, FetchStep, PlanStep, PublishStep } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type { BuildRef, BuildStore, StepCommit } from './build-store.js';
import type { BuildStatus, StepView } from './build-view.js';
import { isTerminalStatus } from './build-view.js';
import { AttemptFailedError, LOCK_LOST_REASON, SHUTDOWN_REASON } from './failure-data.js';
import { ensureWorkspace, runFetchStep } from './fetch-step.js';
import type { GpuGate } from './gpu-gate.js';
import { BuildJobData, GPU_STEP_KINDS } from './job-catalog.js';
import { LogSink } from './log-sink.js';
import type { WorkerDeps } from './ports.js';

export interface RunContext {
  readonly d: WorkerDeps;
  readonly store: BuildStore;
  /** This worker's host (container labels). */
  readonly host: string;
  /** The GPU side (null on an IO-only worker). */
  readonly gpus: GpuGate | null;
}

export interface BuildJobResult {
  readonly status: BuildStatus;
}

/** Per-build workspace on this host (shared with the IO worker through WORK_DIR). */
export function workspaceDirFor(workDir: string, buildId: string): string {
  return join(workDir, 'builds', buildId);
}

/** Secret values for the names a step lists (and only those). */
export function pickSecrets(all: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (Object.prototype.hasOwnProperty.call(all, n)) out[n] = all[n] as string;
  return out;
}

/** The 1-based attempt of a job: failed attempts and stall recoveries count, GPU waits do not. */
export function attemptOf(job: Job<unknown>): number {
  return job.attemptsMade + (job.stalledCounter ?? 0) + 1;
}

/** Resolves to the error a promise rejected with, or null (so it can run unawaited without an unhandled rejection). */
export function settle(p: Promise<unknown>): Promise<Error | null> {
  return p.then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error('redis write failed')),
  );
}

/** BullMQ processor body for `build-<GPUTYPE>` jobs. */
export async function processBuildJob(
  job: Job<unknown>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  rc: RunContext,
): Promise<BuildJobResult> {
  const data = BuildJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  const ref: BuildRef = { id, planHash: data.planHash };
  const publishedCheck = d.publisher.published(data.planHash);
  publishedCheck.catch(() => undefined); // awaited below unless the job ends first
  const loaded = await store.load(id);
  if (loaded === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  if (isTerminalStatus(loaded.status)) return { status: loaded.status };
  if (loaded.cancelRequested) return markCancelled(rc, ref);
  const { plan } = loaded;
  const attempt = attemptOf(job);
  // A takeover: stop what an earlier attempt may still run on this host before anything starts.
  if (attempt > 1 && d.fence) await d.fence.stopBuild(id);

  const already = await publishedCheck;
  if (already) {
    await store.closeOpenSteps(id, 'skipped', d.now(), 'cancelled');
    await store.setStatus(ref, 'succeeded', d.now(), { artifacts: already, error: null });
    return { status: 'succeeded' };
  }
  if (!rc.gpus) throw new UnrecoverableError('INTERNAL_ERROR: build job on a worker without GPUs');
  const got = await rc.gpus.acquire(job, token, id, plan.builder.gpuCount, (r) => store.setWaitReason(id, r));
  if (!Array.isArray(got)) {
    await store.closeOpenSteps(id, 'skipped', d.now(), 'failed');
    await store.setStatus(ref, 'failed', d.now(), { error: storedFailure(got as Failure) });
    throw new UnrecoverableError((got as Failure).code);
  }
  const gpuIds = got as readonly string[];
  const sink = new LogSink(store, id, d.log, d.now);
  const gpus = rc.gpus;
  d.log.info({ buildId: id, attempt, gpuIds, worker: d.workerName }, 'build started');
  try {
    const workspaceDir = workspaceDirFor(d.workDir, id);
    const abort = signal ?? new AbortController().signal;
    const result: StepResults = { fetched: loaded.fetched };
    const base = { plan, ref, workspaceDir, gpuIds, sink, abort, result, attempt, maxAttempts: job.opts.attempts ?? 1 };
    // The publish step is the next job's (on io); a fetch still open here (not normally) runs here.
    const todo = plan.steps.filter(
      (s): s is BuildJobStep =>
        s.kind !== 'publish' && !['succeeded', 'skipped'].includes(loaded.steps.get(s.id)?.status ?? 'pending'),
    );
    const publishes = plan.steps.some((s) => s.kind === 'publish');
    const runningView = (step: PlanStep, at: number): StepView => {
      const view = loaded.steps.get(step.id) ?? pendingStep(step);
      return {
        ...view,
        status: 'running',
        attempts: view.attempts + 1,
        startedAt: new Date(at).toISOString(),
        finishedAt: null,
      };
    };
    // One command starts the build; each later step's `running` record goes with the end of the
    // step before, and the final status with the end of the last one. Pipelined: sent in order,
    // awaited before anything else is written for the build, and before it ends.
    const writes = new PendingWrites();
    let started = d.now();
    let running = todo[0] ? runningView(todo[0], started) : null;
    writes.add(store.startBuild(ref, started, attempt, running));
    await ensureWorkspace(workspaceDir);
    for (const [i, step] of todo.entries()) {
      if (!running) break;
      if (!todo.slice(i).some((s) => GPU_STEP_KINDS.includes(s.kind))) gpus.release(id);
      gpus.setStep(id, step.id);
      d.log.info({ buildId: id, step: step.id, attempt }, 'step started');
      const outcome = abort.aborted ? 'cancelled' : await runOneStep(rc, { ...base, step, writes });
      if (outcome === 'cancelled') {
        await writes.flush();
        return await stopOnAbort(rc, job, token, ref, step.id, abort);
      }
      const finished = d.now();
      const done: StepView = {
        ...running,
        status: 'succeeded',
        finishedAt: new Date(finished).toISOString(),
        progress: 1,
      };
      const next = todo[i + 1];
      const nextRunning = next ? runningView(next, finished) : null;
      const fetched = step.kind === 'fetch' ? result.fetched : undefined;
      const lines = await sink.take();
      if (!next) gpus.release(id);
      const last: Pick<StepCommit, 'final'> =
        next || publishes
          ? {}
          : {
              final: {
                status: 'succeeded',
                nowMs: d.now(),
                extra: { error: null },
              },
            };
      writes.add(
        store.commitStep(ref, {
          views: nextRunning ? [done, nextRunning] : [done],
          observe: { kind: step.kind, seconds: (finished - started) / 1000 },
          lines,
          ...(fetched ? { fetched } : {}),
          ...last,
        }),
      );
      d.log.info({ buildId: id, step: step.id, seconds: (finished - started) / 1000 }, 'step succeeded');
      started = finished;
      running = nextRunning;
    }
    await writes.flush();
    if (publishes) {
      d.log.info({ buildId: id, attempt }, 'GPU steps succeeded; publish is queued');
      return { status: 'running' };
    }
    if (todo.length === 0) await store.setStatus(ref, 'succeeded', d.now(), { error: null });
    d.log.info({ buildId: id, attempt }, 'build succeeded');
    return { status: 'succeeded' };
  } finally {
    await sink.close();
    gpus.release(id);
  }
}

/** A fresh step record. */
export function pendingStep(step: PlanStep): StepView {
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

/**
 * Writes sent but not yet awaited. Commands on one connection reach Redis in the order they were
 * sent, so a later write never overtakes an earlier one; `flush` waits for all and throws the first error.
 */
export class PendingWrites {
  private pending: Promise<Error | null>[] = [];

  add(p: Promise<unknown>): void {
    this.pending.push(settle(p));
  }

  async flush(): Promise<void> {
    const all = this.pending;
    this.pending = [];
    const err = (await Promise.all(all)).find((e) => e !== null);
    if (err) throw err;
  }
}

interface StepResults {
  fetched: readonly FetchedItem[];
}

interface StepRun {
  readonly plan: BuildPlan;
  readonly step: BuildJobStep;
  readonly ref: BuildRef;
  readonly workspaceDir: string;
  readonly gpuIds: readonly string[];
  readonly sink: LogSink;
  readonly abort: AbortSignal;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly result: StepResults;
  /** The build's pipelined writes (flushed before a step's failure is recorded). */
  readonly writes: PendingWrites;
}

/** Runs one kind of step; resolves `'cancelled'` when aborted, `null` on success, throws to fail or retry. */
type StepRunner<K extends BuildJobKind> = (
  rc: RunContext,
  r: StepRun,
  step: Extract<PlanStep, { kind: K }>,
) => Promise<'cancelled' | null>;

/** The steps a build job runs (publish is the next job's). */
type BuildJobStep = Exclude<PlanStep, PublishStep>;
type BuildJobKind = BuildJobStep['kind'];

/** One runner per step kind: a new kind in plan/types.ts does not compile until it has one here. */
const STEP_RUNNERS: { readonly [K in BuildJobKind]: StepRunner<K> } = {
  fetch: runFetch,
  convert: runContainer,
  quantize: runContainer,
  engine_build: runContainer,
};

function runOneStep(rc: RunContext, r: StepRun): Promise<'cancelled' | null> {
  const run = STEP_RUNNERS[r.step.kind] as StepRunner<BuildJobKind>;
  return run(rc, r, r.step);
}

async function runFetch(rc: RunContext, r: StepRun, step: FetchStep): Promise<'cancelled' | null> {
  const res = await runFetchStep(rc.d, rc.store, r.ref.id, r.plan, step, r.workspaceDir, r.abort);
  if (res === 'cancelled') return 'cancelled';
  if ('failure' in res) return failStep(rc, r, res.failure);
  r.result.fetched = res.fetched;
  r.sink.line(step.id, 'system', res.summary);
  return null;
}

async function runContainer(rc: RunContext, r: StepRun, step: ContainerStep): Promise<'cancelled' | null> {
  const { d } = rc;
  const labels = { build: r.ref.id, step: step.id, attempt: r.attempt, worker: d.workerName, host: rc.host };
  const key = `${labels.build}/${labels.step}/${labels.attempt}`;
  rc.gpus?.keep.add(key);
  try {
    const outcome = await d.executor.run(step, {
      workspaceDir: r.workspaceDir,
      workspaceMount: r.plan.workspace.mount,
      gpuIds: r.gpuIds,
      secrets: pickSecrets(d.secrets, step.secretEnv),
      runName: `trt-${r.ref.id}-${step.id.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${d.newRunId()}`,
      signal: r.abort,
      onLine: (line, stream) => r.sink.line(step.id, stream, line),
      labels,
    });
    if (outcome.ok) return null;
    if (r.abort.aborted) return 'cancelled';
    return await failStep(rc, r, outcome.failure);
  } finally {
    rc.gpus?.keep.delete(key);
  }
}

/** A failed step: logged, then through the one failure path. */
async function failStep(rc: RunContext, r: StepRun, failure: Failure): Promise<'cancelled'> {
  r.sink.line(r.step.id, 'system', `step failed: ${failure.code}: ${failure.message}`);
  await r.writes.flush();
  await r.sink.close();
  return settleFailure(rc, r.ref, r.step.id, failure, r.attempt, r.maxAttempts);
}

/**
 * The one failure path: `decideOutcome` decides, and this adapter turns the decision into BullMQ's
 * terms. retry → step pending, build queued, AttemptFailedError (BullMQ's backoff uses its delay);
 * fail → step failed, build failed, UnrecoverableError; cancel → resolves 'cancelled'.
 */
export async function settleFailure(
  rc: Pick<RunContext, 'd' | 'store'>,
  ref: BuildRef,
  stepId: string,
  failure: Failure,
  attempt: number,
  maxAttempts: number,
): Promise<'cancelled'> {
  const { d, store } = rc;
  const decision = d.decideOutcome(failure, attempt);
  switch (decision.action) {
    case 'cancel':
      return 'cancelled';
    case 'retry':
      if (attempt < maxAttempts) {
        await store.patchStep(ref.id, stepId, { status: 'pending', finishedAt: new Date(d.now()).toISOString() });
        await store.setStatus(ref, 'queued', d.now(), { error: storedFailure(failure) });
        d.log.info(
          { buildId: ref.id, step: stepId, code: failure.code, attempt, delayMs: decision.delayMs },
          'step will be retried',
        );
        throw new AttemptFailedError(failure, decision.delayMs);
      }
      return failFinal(rc, ref, stepId, { code: failure.code, message: failure.message, advice: failure.advice });
    case 'fail':
      return failFinal(rc, ref, stepId, {
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

async function failFinal(
  rc: Pick<RunContext, 'd' | 'store'>,
  ref: BuildRef,
  stepId: string,
  error: { code: string; message: string; advice: string | null },
): Promise<never> {
  const { d, store } = rc;
  await store.patchStep(ref.id, stepId, { status: 'failed', finishedAt: new Date(d.now()).toISOString() });
  await store.closeOpenSteps(ref.id, 'skipped', d.now(), 'failed');
  await store.setStatus(ref, 'failed', d.now(), { error });
  d.log.info({ buildId: ref.id, step: stepId, code: error.code }, 'build failed');
  throw new UnrecoverableError(error.code);
}

async function stopOnAbort(
  rc: RunContext,
  job: Job<unknown>,
  token: string | undefined,
  ref: BuildRef,
  stepId: string,
  abort: AbortSignal,
): Promise<BuildJobResult> {
  if (abort.aborted && abort.reason === LOCK_LOST_REASON) {
    // Another worker may own the job now: write nothing, let BullMQ's lock rules decide.
    throw new Error('LOCK_LOST');
  }
  if (abort.aborted && abort.reason === SHUTDOWN_REASON) {
    // Hand the build back: the step runs again on the next worker.
    await rc.store.patchStep(ref.id, stepId, { status: 'pending', finishedAt: null, progress: null });
    await rc.store.setStatus(ref, 'queued', rc.d.now());
    rc.d.log.info({ buildId: ref.id, step: stepId }, 'build handed back (worker shutdown)');
    await job.moveToWait(token);
    throw new WaitingError();
  }
  return markCancelled(rc, ref);
}

/** Marks a build cancelled (open steps too). */
export async function markCancelled(rc: Pick<RunContext, 'd' | 'store'>, ref: BuildRef): Promise<BuildJobResult> {
  await rc.store.closeOpenSteps(ref.id, 'cancelled', rc.d.now());
  await rc.store.setStatus(ref, 'cancelled', rc.d.now());
  rc.d.log.info({ buildId: ref.id }, 'build cancelled');
  return { status: 'cancelled' };
}
