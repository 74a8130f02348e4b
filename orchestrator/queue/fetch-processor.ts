/**
 * The fetch job (IO queue, child of the build job): runs the plan's fetch step so downloads never
 * hold GPUs. Its failures take the one failure path; a final failure or a cancel fails the parent
 * build job too (failParentOnFailure).
 */
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { attemptOf, markCancelled, settle, settleFailure, workspaceDirFor } from './build-processor.js';
import type { RunContext } from './build-processor.js';
import { isTerminalStatus } from './build-view.js';
import type { StepView } from './build-view.js';
import { LOCK_LOST_REASON, SHUTDOWN_REASON } from './failure-data.js';
import { runFetchStep } from './fetch-step.js';
import { FetchJobData } from './job-catalog.js';

/** BullMQ processor body for `io` jobs. */
export async function processFetchJob(
  job: Job<unknown>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  rc: RunContext,
): Promise<{ status: string }> {
  const data = FetchJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  const ref = { id, planHash: data.planHash };
  // The fetch step is marked running by the load itself (one command) when it is to run.
  const started = d.now();
  const loaded = await store.load(id, { kind: 'fetch', atMs: started });
  if (loaded === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  if (isTerminalStatus(loaded.status)) throw new UnrecoverableError(`BUILD_FINISHED: ${loaded.status}`);
  if (loaded.cancelRequested) {
    await markCancelled(rc, ref);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  const { plan } = loaded;
  const step = plan.steps.find((s) => s.kind === 'fetch');
  if (!step || step.kind !== 'fetch') return { status: 'nothing-to-fetch' };
  const view = loaded.steps.get(step.id) ?? {
    id: step.id,
    kind: step.kind,
    status: 'pending',
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    progress: null,
  };
  if (view.status === 'succeeded') return { status: 'already-fetched' };

  const marked = loaded.marked === step.id;
  const running: StepView = marked
    ? view
    : {
        ...view,
        status: 'running',
        attempts: view.attempts + 1,
        startedAt: new Date(started).toISOString(),
        finishedAt: null,
      };
  const startWrite = marked ? Promise.resolve(null) : settle(store.writeStep(id, running));
  const abort = signal ?? new AbortController().signal;
  d.log.info({ buildId: id, step: step.id }, 'fetch started');
  const res = await runFetchStep(d, store, id, plan, step, workspaceDirFor(d.workDir, id), abort);
  const startErr = await startWrite;
  if (startErr) throw startErr;
  if (res === 'cancelled' && abort.reason === LOCK_LOST_REASON) throw new Error('LOCK_LOST');
  if (res === 'cancelled' && abort.reason === SHUTDOWN_REASON) {
    // Worker shutdown: hand the fetch back to the queue (partial files stay for the resume).
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
    const lines = [{ ts: finished, step: step.id, stream: 'system' as const, line: res.summary }];
    const { cancelRequested } = await store.commitStep(ref, {
      views: [done],
      observe: { kind: 'fetch', seconds: (finished - started) / 1000 },
      lines,
      fetched: res.fetched,
    });
    d.log.info({ buildId: id, step: step.id, seconds: (finished - started) / 1000 }, 'fetch succeeded');
    if (!cancelRequested) return { status: 'fetched' };
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
      line: `fetch failed: ${res.failure.code}: ${res.failure.message}`,
    },
  ]);
  await settleFailure(rc, ref, step.id, res.failure, attemptOf(job), job.opts.attempts ?? 1);
  await markCancelled(rc, ref);
  throw new UnrecoverableError('BUILD_CANCELLED');
}
