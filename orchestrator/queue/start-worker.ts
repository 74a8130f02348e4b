/**
 * A worker process's BullMQ side: a Worker on `build-<GPUTYPE>` and/or on `io`, a cancel-channel
 * subscriber that aborts running jobs, the heartbeat in the worker registry, fencing (reap orphans
 * at start; stop a job's containers the moment its lock is lost), stall bookkeeping from BullMQ's
 * events (a job BullMQ failed for good takes the rest of its flow with it), and graceful close (after a grace period running builds go back to the queue).
 */
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { processStage } from './build-processor.js';
import { removeFlow } from './build-queue.js';
import type { RunContext } from './build-processor.js';
import { BuildStore } from '../records/build-store.js';
import { AttemptFailedError, LOCK_LOST_REASON, SHUTDOWN_REASON } from './failure-data.js';
import { GpuGate } from './gpu-gate.js';
import {
  BuildJobData,
  DEFAULT_WORKER_TUNING,
  JOB_NAMES,
  IO_QUEUE,
  buildIdOfJob,
  buildQueueName,
  fetchJobId,
  publishJobId,
} from './job-catalog.js';
import type { WorkerDeps } from './ports.js';
import { redisKeys } from '../records/redis-keys.js';
import { workDirConflict, workDirId } from '../records/shared-work-dir.js';
import { StatusNotifier } from '../records/status-notifier.js';
import { WorkerRegistry } from '../records/worker-registry.js';

export interface ServiceWorker {
  readonly buildWorker: Worker | null;
  readonly ioWorker: Worker | null;
  /** Stops taking jobs; running ones finish, or after `graceMs` are handed back to the queue. */
  close(graceMs?: number): Promise<void>;
}

const CANCEL_REASON = 'cancel-requested';

/** Starts the worker(s) described by `d` and resolves once they are connected. */
export async function startWorker(d: WorkerDeps): Promise<ServiceWorker> {
  const registry = new WorkerRegistry(d.connection, redisKeys(d.prefix));
  const dirId = await workDirId(d.workDir);
  const conflict = workDirConflict(await registry.list(), dirId, d.workDir);
  if (conflict) throw new Error(conflict);
  const notifier = new StatusNotifier(d.statusListeners ?? [], d.log);
  const store = new BuildStore(d.connection, d.prefix, {
    ...(d.logCap ? { logCap: d.logCap } : {}),
    ...(d.retentionMs ? { retentionMs: d.retentionMs } : {}),
    onStatus: notifier.notify,
  });
  notifier.attach(store);
  const host = d.host ?? hostname();
  const heartbeatMs = d.heartbeatMs ?? 5000;
  const tuning = d.tuning ?? DEFAULT_WORKER_TUNING;
  const common = { connection: d.connection, prefix: d.prefix, name: d.workerName, ...tuning };
  // Queues this worker reads jobs of (its GPU queue for the GPU gate; any queue of a flow that failed for good).
  const queues = new Map<string, Queue>();
  const queueNamed = (name: string): Queue => {
    const q = queues.get(name) ?? new Queue(name, { connection: d.connection, prefix: d.prefix });
    queues.set(name, q);
    return q;
  };
  let beat: () => void = () => undefined;
  const gpus = d.gpuType
    ? new GpuGate(d, host, store.keys, queueNamed(buildQueueName(d.gpuType)), registry, () => beat())
    : null;
  const rc: RunContext = { d, store, host, gpus };

  // Fencing at start: containers of this host that no live attempt of this process owns are orphans.
  if (d.fence) {
    const reaped = await d.fence.reapOrphans(host, new Set());
    if (reaped.length > 0) d.log.warn({ reaped }, 'stopped orphaned step containers');
  }

  const buildWorker = d.gpuType
    ? new Worker<unknown>(buildQueueName(d.gpuType), (job, token, signal) => processStage(job, token, signal, rc), {
        ...common,
        concurrency: d.concurrency ?? Math.max(1, d.allocator.deviceIds.length),
        settings: {
          backoffStrategy: (_n: number, _t?: string, err?: Error) =>
            err instanceof AttemptFailedError ? err.delayMs : 1000,
        },
      })
    : null;
  const ioWorker = d.io
    ? new Worker<unknown>(IO_QUEUE, (job, token, signal) => processStage(job, token, signal, rc), {
        ...common,
        concurrency: d.ioConcurrency ?? 4,
        settings: {
          backoffStrategy: (_n: number, _t?: string, err?: Error) =>
            err instanceof AttemptFailedError ? err.delayMs : 2000,
        },
      })
    : null;

  const dropIfEnded = async (job: Job<unknown>): Promise<void> => {
    const data = BuildJobData.safeParse(job.data);
    if (data.success && job.name !== JOB_NAMES.publish && (await job.getState()) === 'failed')
      await removeFlow(queueNamed, data.data.buildId, data.data.gpuType);
  };

  const lockLost = (w: Worker, jobId: string): void => {
    const buildId = buildIdOfJob(jobId);
    d.log.warn({ buildId, jobId }, 'lost the job lock: stopping its step');
    w.cancelJob(jobId, LOCK_LOST_REASON);
    if (d.fence)
      void d.fence
        .stopBuild(buildId)
        .catch((err: unknown) => d.log.error({ buildId, err: String(err) }, 'could not stop a fenced-out container'));
  };
  const watchdogs: NodeJS.Timeout[] = [];
  for (const w of [buildWorker, ioWorker]) {
    if (!w) continue;
    w.on('failed', (job) => {
      if (!job) return;
      void dropIfEnded(job).catch((err: unknown) =>
        d.log.warn({ jobId: job.id, err: String(err) }, 'could not remove the rest of an ended flow'),
      );
    });
    w.on('stalled', (jobId) =>
      d.log.warn({ jobId }, 'job stalled (its worker stopped renewing the lock); it will be taken over'),
    );
    w.on('error', (err) => d.log.error({ err: String(err) }, 'worker error'));
    w.on('lockRenewalFailed', (ids) => ids.forEach((id) => lockLost(w, id)));
    // A Redis outage longer than the lock: no renewal succeeded within lockDuration → the lock is gone.
    const renewed = new Map<string, number>();
    w.on('active', (job) => renewed.set(job.id ?? '', Date.now()));
    w.on('locksRenewed', ({ jobIds }) => jobIds.forEach((id) => renewed.set(id, Date.now())));
    const forget = (job: Job | undefined): void => {
      if (job?.id) renewed.delete(job.id);
    };
    w.on('completed', forget);
    w.on('failed', forget);
    const t = setInterval(
      () => {
        for (const [id, at] of renewed) {
          if (Date.now() - at > tuning.lockDuration) {
            renewed.delete(id);
            lockLost(w, id);
          }
        }
      },
      Math.max(100, tuning.lockDuration / 4),
    );
    t.unref();
    watchdogs.push(t);
  }

  const sub = (d.connection as Redis).duplicate();
  sub.on('message', (_channel: string, id: string) => {
    buildWorker?.cancelJob(id, CANCEL_REASON);
    ioWorker?.cancelJob(fetchJobId(id), CANCEL_REASON);
    ioWorker?.cancelJob(publishJobId(id), CANCEL_REASON);
  });
  await sub.subscribe(store.keys.cancelChannel);
  await Promise.all([buildWorker?.waitUntilReady(), ioWorker?.waitUntilReady()]);

  const record = () => ({
    name: d.workerName,
    host,
    gpuType: d.gpuType,
    io: d.io,
    gpuIds: [...d.allocator.deviceIds],
    holders: Object.fromEntries(d.allocator.deviceIds.map((g) => [g, gpus?.holders.get(g) ?? null])),
    lastHeartbeat: d.now(),
    workDirId: dirId,
  });
  let beating = Promise.resolve();
  beat = () => {
    beating = beating
      .then(() => registry.beat(record(), heartbeatMs * 3))
      .catch((err: unknown) => d.log.warn({ err: String(err) }, 'heartbeat failed'));
  };
  beat();
  await beating;
  const heart = setInterval(beat, heartbeatMs);
  heart.unref();
  d.log.info(
    { worker: d.workerName, host, gpuType: d.gpuType, io: d.io, devices: d.allocator.deviceIds },
    'worker started',
  );

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
        clearInterval(heart);
        watchdogs.forEach(clearInterval);
        sub.disconnect();
        await beating;
        await registry.remove(d.workerName).catch(() => undefined);
        await Promise.all([...queues.values()].map((q) => q.close()));
        await notifier.drain();
      }
    },
  };
}
