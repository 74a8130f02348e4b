/**
 * A worker process's BullMQ side: a Worker on `build-<GPUTYPE>` and/or on `io`, a cancel-channel
 * subscriber that aborts running jobs, final-failure bookkeeping, and graceful close (stop taking
 * jobs; after a grace period hand running builds back to the queue).
 */
import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { processBuildJob } from './build-processor.js';
import type { RunContext } from './build-processor.js';
import { BuildStore } from './build-store.js';
import type { GpuReport } from './build-store.js';
import { SHUTDOWN_REASON, StepRetryError } from './failure-data.js';
import { processFetchJob } from './fetch-processor.js';
import { BuildJobData, DEFAULT_WORKER_TUNING, IO_QUEUE, buildQueueName, fetchJobId } from './job-catalog.js';
import { MetricsStore } from './metrics-store.js';
import type { WorkerDeps } from './ports.js';

export interface ServiceWorker {
  readonly buildWorker: Worker | null;
  readonly ioWorker: Worker | null;
  /** Stops taking jobs; running ones finish, or after `graceMs` are handed back to the queue. */
  close(graceMs?: number): Promise<void>;
}

const CANCEL_REASON = 'cancel-requested';

/** Starts the worker(s) described by `d` and resolves once they are connected. */
export async function startWorker(d: WorkerDeps): Promise<ServiceWorker> {
  const store = new BuildStore(d.connection, d.prefix, d.logCap);
  const metrics = new MetricsStore(d.connection, store.keys);
  const gpuReport = (): GpuReport | null => {
    if (!d.gpuType) return null;
    const held = Object.values(d.allocator.snapshot()).reduce((n, ids) => n + ids.length, 0);
    return { worker: d.workerName, report: { gpuType: d.gpuType, total: d.allocator.deviceIds.length, allocated: held } };
  };
  const reportGpus = async (): Promise<void> => {
    const r = gpuReport();
    if (r) await metrics.reportGpus(r.worker, r.report);
  };
  const rc: RunContext = { d, store, metrics, reportGpus, gpuReport };
  const tuning = d.tuning ?? DEFAULT_WORKER_TUNING;
  const common = { connection: d.connection, prefix: d.prefix, name: d.workerName, ...tuning };

  const buildWorker = d.gpuType
    ? new Worker<unknown>(buildQueueName(d.gpuType), (job, token, signal) => processBuildJob(job, token, signal, rc), {
        ...common,
        concurrency: d.concurrency ?? Math.max(1, d.allocator.deviceIds.length),
        settings: { backoffStrategy: (_n: number, _t?: string, err?: Error) => (err instanceof StepRetryError ? err.delayMs : 1000) },
      })
    : null;
  const ioWorker = d.io
    ? new Worker<unknown>(IO_QUEUE, (job, token, signal) => processFetchJob(job, token, signal, rc), { ...common, concurrency: d.ioConcurrency ?? 4 })
    : null;

  for (const w of [buildWorker, ioWorker]) {
    w?.on('failed', (job, err) => {
      if (job) void onFinalFailure(rc, job, err);
    });
    w?.on('error', (err) => d.log.error({ err: String(err) }, 'worker error'));
  }

  const sub: Redis = d.connection.duplicate();
  sub.on('message', (_channel: string, id: string) => {
    buildWorker?.cancelJob(id, CANCEL_REASON);
    ioWorker?.cancelJob(fetchJobId(id), CANCEL_REASON);
  });
  await sub.subscribe(store.keys.cancelChannel);
  await Promise.all([buildWorker?.waitUntilReady(), ioWorker?.waitUntilReady()]);
  await reportGpus();
  d.log.info({ worker: d.workerName, gpuType: d.gpuType, io: d.io, devices: d.allocator.deviceIds }, 'worker started');

  return {
    buildWorker,
    ioWorker,
    async close(graceMs = 30_000): Promise<void> {
      const handBack = setTimeout(() => {
        buildWorker?.cancelAllJobs(SHUTDOWN_REASON);
        ioWorker?.cancelAllJobs(SHUTDOWN_REASON);
      }, graceMs);
      try {
        await Promise.all([buildWorker?.close(), ioWorker?.close()]);
      } finally {
        clearTimeout(handBack);
        sub.disconnect();
        await metrics.removeWorker(d.workerName).catch(() => undefined);
      }
    },
  };
}

/** A job that failed for good (attempts used up, stalled too often) marks its build failed. */
async function onFinalFailure(rc: RunContext, job: Job<unknown>, err: Error): Promise<void> {
  const parsed = BuildJobData.safeParse(job.data);
  if (!parsed.success) return;
  const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
  if (!final) return;
  const code = err instanceof StepRetryError ? err.code : /stalled/i.test(err.message) ? 'WORKER_LOST' : 'INTERNAL_ERROR';
  try {
    const changed = await rc.store.setStatus(parsed.data.buildId, 'failed', rc.d.now(), { error: { code, message: err.message.slice(0, 500), advice: null } });
    if (changed) await rc.store.closeOpenSteps(parsed.data.buildId, 'skipped', rc.d.now(), 'failed');
  } catch (e) {
    rc.d.log.warn({ err: String(e) }, 'could not record final failure');
  }
}
