/**
 * The build job: acquire GPUs, run the plan's steps in order (skipping completed ones, so a retried
 * or recovered build resumes), record status/progress/logs, decide retries with `decideOutcome`,
 * publish exactly once, and release the devices on every path. Redis writes are batched per step
 * (one Lua command at each step boundary: the end of a step and the start of the next).
 */
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { DelayedError, UnrecoverableError, WaitingError } from 'bullmq';
import type { BuildPlan, ContainerStep, FetchStep, PlanStep, PublishStep, StepKind } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type { BuildStore, GpuReport, StepCommit } from './build-store.js';
import type { ArtifactsView, BuildStatus, StepView } from './build-view.js';
import { isTerminalStatus } from './build-view.js';
import { SHUTDOWN_REASON, StepRetryError, failureFromThrown } from './failure-data.js';
import { ensureWorkspace, runFetchStep } from './fetch-step.js';
import { BuildJobData } from './job-catalog.js';
import { LogSink } from './log-sink.js';
import type { MetricsStore } from './metrics-store.js';
import type { WorkerDeps } from './ports.js';

export interface RunContext {
  readonly d: WorkerDeps;
  readonly store: BuildStore;
  readonly metrics: MetricsStore;
  /** Publishes this worker's GPU allocation to the metrics. */
  readonly reportGpus: () => Promise<void>;
  /** This worker's GPU allocation now (null on an IO-only worker), to write with another command. */
  readonly gpuReport: () => GpuReport | null;
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

/** A fresh step record. */
export function pendingStep(step: PlanStep): StepView {
  return { id: step.id, kind: step.kind, status: 'pending', attempts: 0, startedAt: null, finishedAt: null, progress: null };
}

/** Resolves to the error a promise rejected with, or null (so it can run unawaited without an unhandled rejection). */
export function settle(p: Promise<unknown>): Promise<Error | null> {
  return p.then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error('redis write failed')),
  );
}

/** BullMQ processor body for `build-<GPUTYPE>` jobs. */
export async function processBuildJob(job: Job<unknown>, token: string | undefined, signal: AbortSignal | undefined, rc: RunContext): Promise<BuildJobResult> {
  const data = BuildJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  // Whether the plan is already published (a read of the artifact store) is asked while the build loads.
  const publishedCheck = d.publisher.published(data.planHash);
  publishedCheck.catch(() => undefined); // awaited below unless the job ends first
  const loaded = await store.load(id);
  if (loaded === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  if (isTerminalStatus(loaded.status)) return { status: loaded.status };
  if (loaded.cancelRequested) return markCancelled(rc, id);
  const { plan } = loaded;

  const already = await publishedCheck;
  if (already) {
    await store.closeOpenSteps(id, 'skipped', d.now(), 'cancelled');
    await store.setStatus(id, 'succeeded', d.now(), { artifacts: already, error: null });
    return { status: 'succeeded' };
  }

  if (plan.builder.gpuCount > d.allocator.deviceIds.length) {
    // Another host of this GPU type may be big enough: defer a while, then fail with a stable code.
    if (job.attemptsStarted > (d.gpuDeferrals ?? 60)) {
      const error = { code: 'GPU_COUNT_UNAVAILABLE', message: `the plan needs ${plan.builder.gpuCount} ${plan.builder.gpuType} GPUs; no worker that picked it up has that many`, advice: 'add a worker with enough GPUs of this type, or lower the GPU count' };
      await store.setStatus(id, 'failed', d.now(), { error });
      await store.closeOpenSteps(id, 'skipped', d.now(), 'failed');
      throw new UnrecoverableError(error.code);
    }
    await job.moveToDelayed(d.now() + 5 * (d.gpuWaitMs ?? 2000), token);
    throw new DelayedError();
  }
  const gpuIds = d.allocator.tryAcquire(id, plan.builder.gpuCount);
  if (!gpuIds) {
    await job.moveToDelayed(d.now() + (d.gpuWaitMs ?? 2000), token);
    throw new DelayedError();
  }
  const sink = new LogSink(store, id, d.log, d.now);
  let released = false;
  try {
    const workspaceDir = workspaceDirFor(d.workDir, id);
    const abort = signal ?? new AbortController().signal;
    const result: StepResults = { fetched: loaded.fetched, config: loaded.config, artifacts: null };
    const base = { plan, id, workspaceDir, gpuIds, sink, abort, result, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 };
    const todo = plan.steps.filter((s) => !['succeeded', 'skipped'].includes(loaded.steps.get(s.id)?.status ?? 'pending'));
    const runningView = (step: PlanStep, at: number): StepView => {
      const view = loaded.steps.get(step.id) ?? pendingStep(step);
      return { ...view, status: 'running', attempts: view.attempts + 1, startedAt: new Date(at).toISOString(), finishedAt: null };
    };
    // One command starts the build (status, attempts, the first step's `running` record, the GPU
    // report); each later step's `running` record goes with the end of the step before, and the
    // build's final status with the end of the last one. These writes are pipelined: sent in order
    // on the store's connection while the next step runs, and awaited (errors thrown) before
    // anything else is written for the build, and before it ends.
    const writes = new PendingWrites();
    let started = d.now();
    let running = todo[0] ? runningView(todo[0], started) : null;
    writes.add(store.startBuild(id, started, job.attemptsStarted, running, rc.gpuReport()));
    await ensureWorkspace(workspaceDir);
    let finalized = false;
    for (const [i, step] of todo.entries()) {
      if (!running) break;
      if (abort.aborted) {
        await writes.flush();
        return await stopOnAbort(rc, job, token, id, step.id, abort);
      }
      const outcome = await runOneStep(rc, { ...base, step, writes });
      if (outcome === 'cancelled') {
        await writes.flush();
        return await stopOnAbort(rc, job, token, id, step.id, abort);
      }
      const finished = d.now();
      const done: StepView = { ...running, status: 'succeeded', finishedAt: new Date(finished).toISOString(), progress: 1 };
      const next = todo[i + 1];
      const nextRunning = next ? runningView(next, finished) : null;
      const fetched = step.kind === 'fetch' ? result.fetched : undefined;
      const lines = await sink.take();
      let last: Pick<StepCommit, 'final' | 'gpus'> = {};
      if (!next) {
        // Released first, so that the report written with the final status shows the devices free.
        d.allocator.release(id);
        last = { final: { status: 'succeeded', nowMs: d.now(), extra: { error: null, ...(result.artifacts ? { artifacts: result.artifacts } : {}) } }, gpus: rc.gpuReport() };
      }
      writes.add(store.commitStep(id, { views: nextRunning ? [done, nextRunning] : [done], observe: { kind: step.kind, seconds: (finished - started) / 1000 }, lines, ...(fetched ? { fetched } : {}), ...last }));
      if (!next) {
        await writes.flush();
        released = finalized = true;
      }
      started = finished;
      running = nextRunning;
    }
    await writes.flush();
    if (!finalized) {
      d.allocator.release(id);
      released = true;
      await Promise.all([store.setStatus(id, 'succeeded', d.now(), { error: null, ...(result.artifacts ? { artifacts: result.artifacts } : {}) }), rc.reportGpus()]);
    }
    return { status: 'succeeded' };
  } finally {
    await sink.close();
    if (!released) {
      d.allocator.release(id);
      await rc.reportGpus();
    }
  }
}

/**
 * Writes sent but not yet awaited. Commands on one ioredis connection reach Redis in the order
 * they were sent, so a later write never overtakes an earlier one; `flush` waits for all and throws
 * the first error.
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
  readonly config: unknown;
  artifacts: ArtifactsView | null;
}

interface StepRun {
  readonly plan: BuildPlan;
  readonly step: PlanStep;
  readonly id: string;
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
type StepRunner<K extends StepKind> = (rc: RunContext, r: StepRun, step: Extract<PlanStep, { kind: K }>) => Promise<'cancelled' | null>;

/** One runner per step kind: a new kind in plan/types.ts does not compile until it has one here. */
const STEP_RUNNERS: { readonly [K in StepKind]: StepRunner<K> } = {
  fetch: runFetch,
  convert: runContainer,
  quantize: runContainer,
  engine_build: runContainer,
  publish: runPublish,
};

/** Runs one step with the runner of its kind. */
function runOneStep(rc: RunContext, r: StepRun): Promise<'cancelled' | null> {
  const run = STEP_RUNNERS[r.step.kind] as StepRunner<StepKind>;
  return run(rc, r, r.step);
}

async function runFetch(rc: RunContext, r: StepRun, step: FetchStep): Promise<'cancelled' | null> {
  const res = await runFetchStep(rc.d, r.plan, step, r.workspaceDir, r.abort);
  if (res === 'cancelled') return 'cancelled';
  if ('error' in res) return failStep(rc, r, res.error.code, res.error.message, null, res.retryable ? 1000 : null);
  r.result.fetched = res.fetched;
  r.sink.line(step.id, 'system', res.summary);
  return null;
}

async function runContainer(rc: RunContext, r: StepRun, step: ContainerStep): Promise<'cancelled' | null> {
  const { d } = rc;
  const outcome = await d.executor.run(step, {
    workspaceDir: r.workspaceDir,
    workspaceMount: r.plan.workspace.mount,
    gpuIds: r.gpuIds,
    secrets: pickSecrets(d.secrets, step.secretEnv),
    runName: `trt-${r.id}-${step.id.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${d.newRunId()}`,
    signal: r.abort,
    onLine: (line, stream) => r.sink.line(step.id, stream, line),
  });
  if (outcome.ok) return null;
  if (r.abort.aborted) return 'cancelled';
  const f = outcome.failure;
  r.sink.line(step.id, 'system', `step failed: ${f.code}: ${f.message}`);
  const decision = d.decideOutcome(f, r.attempt);
  if (decision.action === 'cancel') return 'cancelled';
  if (decision.action === 'retry') return failStep(rc, r, f.code, f.message, f.advice, decision.delayMs);
  return failStep(rc, r, decision.code, f.message, decision.advice ?? f.advice, null);
}

async function runPublish(rc: RunContext, r: StepRun, step: PublishStep): Promise<'cancelled' | null> {
  try {
    const out = await rc.d.publisher.publish({ plan: r.plan, step, workspaceDir: r.workspaceDir, fetched: r.result.fetched, config: r.result.config });
    r.sink.line(step.id, 'system', out.alreadyPublished ? 'already published' : `published ${out.artifacts.manifest}`);
    r.result.artifacts = out.artifacts;
    return null;
  } catch (err) {
    if (r.abort.aborted) return 'cancelled';
    const f = failureFromThrown(err, 'PUBLISH_FAILED');
    return failStep(rc, r, f.error.code, f.error.message, f.error.advice, f.retryable ? 2000 : null);
  }
}

/** Records a failed step; throws StepRetryError (BullMQ retries) or UnrecoverableError (final). */
async function failStep(rc: RunContext, r: StepRun, code: string, message: string, advice: string | null, retryDelayMs: number | null): Promise<never> {
  const { d, store } = rc;
  await r.writes.flush();
  await r.sink.close();
  const error = { code, message, advice };
  const retry = retryDelayMs !== null && r.attempt < r.maxAttempts;
  // A step that will be retried goes back to `pending` (the build's `error` keeps the last failure).
  await store.patchStep(r.id, r.step.id, { status: retry ? 'pending' : 'failed', finishedAt: new Date(d.now()).toISOString() });
  if (retry) {
    await store.setStatus(r.id, 'queued', d.now(), { error });
    throw new StepRetryError(code, retryDelayMs ?? 1000);
  }
  await store.setStatus(r.id, 'failed', d.now(), { error });
  await store.closeOpenSteps(r.id, 'skipped', d.now(), 'failed');
  throw new UnrecoverableError(code);
}

async function stopOnAbort(rc: RunContext, job: Job<unknown>, token: string | undefined, id: string, stepId: string, abort: AbortSignal): Promise<BuildJobResult> {
  if (abort.aborted && abort.reason === SHUTDOWN_REASON) {
    // Hand the build back: the step runs again on the next worker.
    await rc.store.patchStep(id, stepId, { status: 'pending', finishedAt: null, progress: null });
    await rc.store.setStatus(id, 'queued', rc.d.now());
    await job.moveToWait(token);
    throw new WaitingError();
  }
  return markCancelled(rc, id);
}

/** Marks a build cancelled (open steps too). */
export async function markCancelled(rc: Pick<RunContext, 'd' | 'store'>, id: string): Promise<BuildJobResult> {
  await rc.store.closeOpenSteps(id, 'cancelled', rc.d.now());
  await rc.store.setStatus(id, 'cancelled', rc.d.now());
  return { status: 'cancelled' };
}
