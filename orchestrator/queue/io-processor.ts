/**
 * The `io` jobs of a build's flow (job-catalog.ts): `fetch` before the GPU steps and `publish` after
 * them, so downloads and uploads never hold GPUs or a GPU-queue slot. Both take the one failure
 * path; a final failure or a cancel fails the jobs after them too (failParentOnFailure).
 */
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import type { Failure } from '../build/failure.js';
import type { FetchStep, PublishStep } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import { attemptOf, markCancelled, pendingStep, settle, settleFailure, workspaceDirFor } from './build-processor.js';
import type { RunContext } from './build-processor.js';
import type { LoadedBuild, StepCommit } from './build-store.js';
import { isTerminalStatus } from './build-view.js';
import type { ArtifactsView, StepView } from './build-view.js';
import { LOCK_LOST_REASON, SHUTDOWN_REASON, failureOf } from './failure-data.js';
import { runFetchStep } from './fetch-step.js';
import { BuildJobData, JOB_NAMES } from './job-catalog.js';

/** What one io step produced: a log line, plus what the fetch resolved or where publish put the bundle. */
type IoResult =
  | { readonly summary: string; readonly fetched?: readonly FetchedItem[]; readonly artifacts?: ArtifactsView }
  | 'cancelled'
  | { readonly failure: Failure };

interface IoStep<S> {
  readonly kind: 'fetch' | 'publish';
  run(
    rc: RunContext,
    id: string,
    loaded: LoadedBuild,
    step: S,
    workspaceDir: string,
    signal: AbortSignal,
  ): Promise<IoResult>;
}

const FETCH: IoStep<FetchStep> = {
  kind: 'fetch',
  run: (rc, id, loaded, step, dir, signal) => runFetchStep(rc.d, rc.store, id, loaded.plan, step, dir, signal),
};

const PUBLISH: IoStep<PublishStep> = {
  kind: 'publish',
  async run(rc, _id, loaded, step, workspaceDir, signal) {
    try {
      const out = await rc.d.publisher.publish({
        plan: loaded.plan,
        step,
        workspaceDir,
        fetched: loaded.fetched,
        config: loaded.config,
      });
      const summary = out.alreadyPublished ? 'already published' : `published ${out.artifacts.manifest}`;
      return { summary, artifacts: out.artifacts };
    } catch (err) {
      return signal.aborted ? 'cancelled' : { failure: failureOf(err, 'PUBLISH_FAILED') };
    }
  },
};

/** BullMQ processor body for `io` jobs (dispatched on the job name). */
export function processIoJob(
  job: Job<unknown>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  rc: RunContext,
): Promise<{ status: string }> {
  return job.name === JOB_NAMES.publish
    ? processIoStep(PUBLISH, job, token, signal, rc)
    : processIoStep(FETCH, job, token, signal, rc);
}

async function processIoStep<S extends FetchStep | PublishStep>(
  io: IoStep<S>,
  job: Job<unknown>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  rc: RunContext,
): Promise<{ status: string }> {
  const data = BuildJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  const ref = { id, planHash: data.planHash };
  // The step is marked running by the load itself (one command) when it is to run.
  const started = d.now();
  const loaded = await store.load(id, { kind: io.kind, atMs: started });
  if (loaded === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  // A build that ended early (already published by another build) needs no upload.
  if (isTerminalStatus(loaded.status) && io.kind === 'publish') return { status: loaded.status };
  if (isTerminalStatus(loaded.status)) throw new UnrecoverableError(`BUILD_FINISHED: ${loaded.status}`);
  if (loaded.cancelRequested) {
    await markCancelled(rc, ref);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  const step = loaded.plan.steps.find((s): s is S => s.kind === io.kind);
  if (!step) return { status: `no-${io.kind}-step` };
  const view = loaded.steps.get(step.id) ?? pendingStep(step);
  if (view.status === 'succeeded') return { status: `${io.kind}-done` };

  const running: StepView =
    loaded.marked === step.id
      ? view
      : {
          ...view,
          status: 'running',
          attempts: view.attempts + 1,
          startedAt: new Date(started).toISOString(),
          finishedAt: null,
        };
  // Publish of a plan without GPU steps is the build's first running stage: it starts the build.
  const startWrite =
    io.kind === 'publish' && loaded.status === 'queued'
      ? settle(store.startBuild(ref, started, attemptOf(job), running))
      : loaded.marked === step.id
        ? Promise.resolve(null)
        : settle(store.writeStep(id, running));
  const abort = signal ?? new AbortController().signal;
  d.log.info({ buildId: id, step: step.id }, `${io.kind} started`);
  const res = await io.run(rc, id, loaded, step, workspaceDirFor(d.workDir, id), abort);
  const startErr = await startWrite;
  if (startErr) throw startErr;
  if (res === 'cancelled' && abort.reason === LOCK_LOST_REASON) throw new Error('LOCK_LOST');
  if (res === 'cancelled' && abort.reason === SHUTDOWN_REASON) {
    // Worker shutdown: hand the job back to the queue (partial files stay for the resume).
    await store.writeStep(id, { ...running, status: 'pending', finishedAt: null });
    await job.moveToWait(token);
    throw new WaitingError();
  }
  const finished = d.now();
  if (res !== 'cancelled' && !('failure' in res)) {
    const done: StepView = {
      ...running,
      status: 'succeeded',
      finishedAt: new Date(finished).toISOString(),
      progress: 1,
    };
    const seconds = (finished - started) / 1000;
    const final: StepCommit['final'] = res.artifacts
      ? { status: 'succeeded', nowMs: finished, extra: { error: null, artifacts: res.artifacts } }
      : undefined;
    const { cancelRequested } = await store.commitStep(ref, {
      views: [done],
      observe: { kind: io.kind, seconds },
      lines: [{ ts: finished, step: step.id, stream: 'system', line: res.summary }],
      ...(res.fetched ? { fetched: res.fetched } : {}),
      ...(final ? { final } : {}),
    });
    d.log.info({ buildId: id, step: step.id, seconds }, `${io.kind} succeeded`);
    if (final) d.log.info({ buildId: id }, 'build succeeded');
    if (final || !cancelRequested) return { status: `${io.kind}-done` };
  }
  if (res === 'cancelled' || !('failure' in res)) {
    await markCancelled(rc, ref);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  await store.logBatch(id, [
    {
      ts: finished,
      step: step.id,
      stream: 'system',
      line: `${io.kind} failed: ${res.failure.code}: ${res.failure.message}`,
    },
  ]);
  await settleFailure(rc, ref, step.id, res.failure, attemptOf(job), job.opts.attempts ?? 1);
  await markCancelled(rc, ref);
  throw new UnrecoverableError('BUILD_CANCELLED');
}
