/**
 * The fetch job (IO queue, child of the build job): runs the plan's fetch step so downloads never
 * hold GPUs. A final failure or a cancel fails the parent build job too (failParentOnFailure).
 */
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { workspaceDirFor, markCancelled } from './build-processor.js';
import type { RunContext } from './build-processor.js';
import { isTerminalStatus } from './build-view.js';
import { runFetchStep } from './fetch-step.js';
import { FetchJobData } from './job-catalog.js';

/** BullMQ processor body for `io` jobs. */
export async function processFetchJob(job: Job<unknown>, _token: string | undefined, signal: AbortSignal | undefined, rc: RunContext): Promise<{ status: string }> {
  const data = FetchJobData.parse(job.data);
  const { d, store } = rc;
  const id = data.buildId;
  const status = await store.status(id);
  if (status === null) throw new UnrecoverableError(`BUILD_NOT_FOUND: ${id}`);
  if (isTerminalStatus(status)) throw new UnrecoverableError(`BUILD_FINISHED: ${status}`);
  if (await store.cancelRequested(id)) {
    await markCancelled(rc, id);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  const plan = await store.plan(id);
  const step = plan?.steps.find((s) => s.kind === 'fetch');
  if (!plan || !step || step.kind !== 'fetch') return { status: 'nothing-to-fetch' };
  const view = (await store.get(id))?.steps.find((s) => s.id === step.id);
  if (view?.status === 'succeeded') return { status: 'already-fetched' };

  const started = d.now();
  await store.patchStep(id, step.id, { status: 'running', attempts: (view?.attempts ?? 0) + 1, startedAt: new Date(started).toISOString(), finishedAt: null });
  const abort = signal ?? new AbortController().signal;
  const res = await runFetchStep(rc, plan, step, id, workspaceDirFor(d.workDir, id), abort);
  if (res === 'cancelled' || (res === null && (await store.cancelRequested(id)))) {
    await markCancelled(rc, id);
    throw new UnrecoverableError('BUILD_CANCELLED');
  }
  const finished = d.now();
  if (res === null) {
    await store.patchStep(id, step.id, { status: 'succeeded', finishedAt: new Date(finished).toISOString(), progress: 1 });
    await rc.metrics.observeStep('fetch', (finished - started) / 1000);
    return { status: 'fetched' };
  }
  await store.patchStep(id, step.id, { status: 'failed', finishedAt: new Date(finished).toISOString() });
  await store.appendLogs(id, [{ ts: finished, step: step.id, stream: 'system', line: `fetch failed: ${res.error.code}: ${res.error.message}` }]);
  const final = !res.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (final) {
    await store.setStatus(id, 'failed', finished, { error: res.error });
    throw new UnrecoverableError(res.error.code);
  }
  throw new Error(res.error.code);
}
