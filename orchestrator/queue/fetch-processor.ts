/**
 * The fetch job (IO queue, child of the build job): runs the plan's fetch step so downloads never
 * hold GPUs. A final failure or a cancel fails the parent build job too (failParentOnFailure).
 */
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { markCancelled, settle, workspaceDirFor } from './build-processor.js';
import type { RunContext } from './build-processor.js';
import { isTerminalStatus } from './build-view.js';
import type { StepView } from './build-view.js';
import { SHUTDOWN_REASON } from './failure-data.js';
import { runFetchStep } from './fetch-step.js';
import { FetchJobData } from './job-catalog.js';

/** BullMQ processor body for `io` jobs. */
export async function processFetchJob(job: Job<unknown>, token: string | undefined, signal: AbortSignal | undefined, rc: RunContext): Promise<{ status: string }> {
  const data = FetchJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  // The fetch step is marked running by the load itself (one command) when it is to run.
  const started = d.now();
  const loaded = await store.load(id, { kind: 'fetch', atMs: started });
  if (loaded === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  if (isTerminalStatus(loaded.status)) throw new UnrecoverableError(`BUILD_FINISHED: ${loaded.status}`);
  if (loaded.cancelRequested) {
    await markCancelled(rc, id);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  const { plan } = loaded;
  const step = plan.steps.find((s) => s.kind === 'fetch');
  if (!step || step.kind !== 'fetch') return { status: 'nothing-to-fetch' };
  const view = loaded.steps.get(step.id) ?? { id: step.id, kind: step.kind, status: 'pending', attempts: 0, startedAt: null, finishedAt: null, progress: null };
  if (view.status === 'succeeded') return { status: 'already-fetched' };

  const marked = loaded.marked === step.id;
  const running: StepView = marked ? view : { ...view, status: 'running', attempts: view.attempts + 1, startedAt: new Date(started).toISOString(), finishedAt: null };
  const startWrite = marked ? Promise.resolve(null) : settle(store.writeStep(id, running));
  const abort = signal ?? new AbortController().signal;
  const res = await runFetchStep(d, plan, step, workspaceDirFor(d.workDir, id), abort);
  const startErr = await startWrite;
  if (startErr) throw startErr;
  if (res === 'cancelled' && abort.reason === SHUTDOWN_REASON) {
    // Worker shutdown: hand the fetch back to the queue (partial files stay for the resume).
    await store.writeStep(id, { ...running, status: 'pending', finishedAt: null });
    await job.moveToWait(token);
    throw new WaitingError();
  }
  const finished = d.now();
  if (res !== 'cancelled' && !('error' in res)) {
    const done: StepView = { ...running, status: 'succeeded', finishedAt: new Date(finished).toISOString(), progress: 1 };
    const lines = [{ ts: finished, step: step.id, stream: 'system' as const, line: res.summary }];
    const { cancelRequested } = await store.commitStep(id, { views: [done], observe: { kind: 'fetch', seconds: (finished - started) / 1000 }, lines, fetched: res.fetched });
    if (!cancelRequested) return { status: 'fetched' };
  }
  if (res === 'cancelled' || !('error' in res)) {
    await markCancelled(rc, id);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  await store.writeStep(id, { ...running, status: 'failed', finishedAt: new Date(finished).toISOString() });
  await store.appendLogs(id, [{ ts: finished, step: step.id, stream: 'system', line: `fetch failed: ${res.error.code}: ${res.error.message}` }]);
  const final = !res.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (final) {
    await store.setStatus(id, 'failed', finished, { error: res.error });
    throw new UnrecoverableError(res.error.code);
  }
  throw new Error(res.error.code);
}
