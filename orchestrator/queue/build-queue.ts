/**
 * The producer side: submit a plan as a BullMQ flow (fetch → build → publish, job-catalog.ts),
 * cancel builds, the API's periodic sweep, queue depths. Job ids derive from the build id, so adding
 * a flow again is a no-op: the record is written first, the flow second, and a resubmission or the
 * sweep adds a missing flow, so no failure can leave a plan wedged.
 */
import { FlowProducer, Queue } from 'bullmq';
import { ERROR_ADVICE, ERROR_CODES, isErrorCode } from '../build/error-codes.js';
import type { ErrorCode } from '../build/error-codes.js';
import type { FlowJob, Job } from 'bullmq';
import type { GpuType } from '../gpu/catalog.js';
import { GPU_TYPES } from '../gpu/catalog.js';
import type { BuildPlan } from '../plan/types.js';
import { BuildStore, viewOfNewBuild } from '../records/build-store.js';
import type { RedisClient } from '../records/redis-keys.js';
import type { ArtifactsView, BuildView } from '../records/build-view.js';
import { isTerminal } from '../build/state-machine.js';
import {
  GPU_STEP_KINDS,
  IO_QUEUE,
  buildQueueName,
  fetchJobId,
  jobSettings,
  publishJobId,
  stagesOf,
} from './job-catalog.js';
import type { BuildJobData, StagedPlan } from './job-catalog.js';
import { MetricsStore } from '../records/metrics-store.js';
import { silentLog } from '../records/service-log.js';
import type { Log } from '../records/service-log.js';
import type { StatusListener } from '../records/status-events.js';
import { StatusNotifier } from '../records/status-notifier.js';
import { waitReason } from '../records/worker-registry.js';
import type { WorkerRecord } from '../records/worker-registry.js';

export interface SubmitResult {
  /** False when the same plan already had a queued, running or succeeded build. */
  readonly created: boolean;
  readonly build: BuildView;
}

export type CancelResult =
  | { readonly kind: 'not_found' }
  | { readonly kind: 'finished'; readonly build: BuildView }
  | { readonly kind: 'cancelled'; readonly build: BuildView }
  | { readonly kind: 'requested'; readonly build: BuildView };

export interface BuildQueueOptions {
  readonly logCap?: number;
  /** How long finished builds, their logs and finished jobs stay in Redis (ms). */
  readonly retentionMs?: number;
  readonly statusListeners?: readonly StatusListener[];
  readonly log?: Log;
}

/**
 * Removes what is left of a build's flow: its last job (publish, else the GPU job, else fetch) with
 * its children, unless a job of it is running (that worker sees the cancel or failure itself). True
 * when no job is left to run the build. After a stage failed for good this matters: BullMQ fails the
 * stages after it only when a worker of their queue picks them up (a deferred failure), so a build
 * for a GPU type no worker serves would otherwise leave a doomed job waiting in that queue.
 */
export async function removeFlow(queue: (name: string) => Queue, id: string, gpuType: GpuType): Promise<boolean> {
  const last =
    (await queue(IO_QUEUE).getJob(publishJobId(id))) ??
    (await queue(buildQueueName(gpuType)).getJob(id)) ??
    (await queue(IO_QUEUE).getJob(fetchJobId(id)));
  if (!last) return true;
  if ((await last.getState()) === 'active') return false;
  return last.remove({ removeChildren: true }).then(
    () => true,
    () => false, // a child is locked (running)
  );
}

/** Job states in which a job runs or will run (one in `waiting-children` behind a failed stage never will). */
const OPEN_JOB_STATES = new Set(['waiting', 'delayed', 'prioritized', 'active']);

const CLOSE_FAILED = { pending: 'skipped', running: 'failed' } as const;

/** Producer-side handle on the build queues and records. */
export class BuildQueue {
  readonly store: BuildStore;
  readonly metrics: MetricsStore;
  readonly notifier: StatusNotifier;
  private readonly flow: FlowProducer;
  private readonly queues = new Map<string, Queue>();
  private readonly settings: ReturnType<typeof jobSettings>;

  constructor(
    private readonly connection: RedisClient,
    private readonly prefix: string,
    private readonly now: () => number,
    opts: BuildQueueOptions = {},
  ) {
    this.notifier = new StatusNotifier(opts.statusListeners ?? [], opts.log ?? silentLog);
    this.store = new BuildStore(connection, prefix, { ...opts, onStatus: this.notifier.notify });
    this.notifier.attach(this.store);
    this.metrics = new MetricsStore(connection, this.store.keys);
    this.flow = new FlowProducer({ connection, prefix });
    this.settings = jobSettings(this.store.retentionMs);
  }

  /** The BullMQ queue with this name (created once). */
  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Submits a plan: existing live build → returned as is (its flow re-added when missing);
   * published → succeeded at once; else a new build and flow. `config` (secrets already removed)
   * is kept for the manifest.
   */
  async submit(
    plan: BuildPlan,
    published: ArtifactsView | null,
    config: unknown = null,
    callbackUrl: string | null = null,
  ): Promise<SubmitResult> {
    const now = this.now();
    const claim = await this.store.claim(plan, now, published, config, callbackUrl);
    if (claim.created) {
      if (!published) await this.enqueue(plan, claim.id);
      return { created: true, build: viewOfNewBuild(claim.id, plan, now, published) };
    }
    const build = await this.store.get(claim.id);
    if (!build) throw new Error(`build ${claim.id} vanished after submit`);
    // A flow is added atomically: its last job missing means the submit failed before it.
    const last = stagesOf(plan).at(-1);
    if (
      build.status === 'queued' &&
      !build.cancelRequested &&
      last &&
      !(await this.queue(last.queueName).getJob(last.jobId(claim.id)))
    )
      await this.enqueue(plan, claim.id);
    return { created: false, build };
  }

  /** Adds the build's flow: each stage is the child of the next (see job-catalog.ts). */
  private async enqueue(plan: StagedPlan & Pick<BuildPlan, 'planHash'>, id: string): Promise<void> {
    const data: BuildJobData = { buildId: id, planHash: plan.planHash, gpuType: plan.builder.gpuType };
    let child: FlowJob | null = null;
    for (const stage of stagesOf(plan)) {
      const job: FlowJob = {
        name: stage.name,
        queueName: stage.queueName,
        data,
        opts: {
          jobId: stage.jobId(id),
          ...this.settings[stage.name],
          ...(stage.name === 'publish' ? {} : { failParentOnFailure: true }),
        },
        ...(child ? { children: [child] } : {}),
      };
      child = job;
    }
    if (child) await this.flow.add(child);
  }

  /**
   * The API's periodic repair, one pass over live builds (oldest first), each loaded once:
   * - a queued build older than `graceMs` whose flow is missing (the submit failed between its two
   *   writes and nobody resubmitted) gets its flow (`enqueued`);
   * - BullMQ's job state is the truth the record follows: a live build unchanged for `graceMs` whose
   *   flow ended in a failed job with no job left to run (a worker died between BullMQ failing a job
   *   and writing the record, or a job failed outside our processors) is marked failed with the job's
   *   registry code, or WORKER_LOST for a stalled job (`settled`);
   * - a queued build that no registered worker can run (none serves its GPU type, or none has enough
   *   GPUs) fails once that has held for `unservedLimitMs` without a break (`unserved`): the first
   *   sweep that sees it notes the time, a sweep that finds a capable worker clears it.
   */
  async sweep(opts: { readonly unservedLimitMs: number; readonly graceMs?: number; readonly limit?: number }) {
    const { unservedLimitMs, graceMs = 60_000, limit = 500 } = opts;
    const done = { enqueued: [] as string[], settled: [] as string[], unserved: [] as string[] };
    const workers = await this.metrics.workers.list();
    const ids = [
      ...(await this.store.idsWithStatus('queued', limit)),
      ...(await this.store.idsWithStatus('running', limit)),
    ];
    for (const id of ids) {
      const b = await this.store.load(id);
      if (!b || isTerminal(b.status)) continue;
      const now = this.now();
      const jobs = await Promise.all(stagesOf(b.plan).map((st) => this.queue(st.queueName).getJob(st.jobId(id))));
      if (b.status === 'queued' && !b.cancelRequested && !jobs.at(-1) && b.createdAtMs <= now - graceMs) {
        await this.enqueue(b.plan, id);
        done.enqueued.push(id);
      } else if (b.updatedAtMs <= now - graceMs && (await this.settleEnded(id, b.plan.builder.gpuType, jobs))) {
        done.settled.push(id);
      } else if (b.status === 'queued' && (await this.failIfUnserved(id, b.plan, workers, now, unservedLimitMs))) {
        done.unserved.push(id);
      }
    }
    return done;
  }

  /** Marks the build failed when its flow ended in a failed job with none left to run; true when it did. */
  private async settleEnded(id: string, gpuType: GpuType, jobs: readonly (Job | undefined)[]): Promise<boolean> {
    // A job BullMQ will fail when a worker picks it up (its child failed) is as good as failed.
    const states = await Promise.all(
      jobs.map(async (j) => (j?.deferredFailure ? 'failed' : ((await j?.getState()) ?? 'missing'))),
    );
    const failedAt = states.indexOf('failed');
    if (failedAt < 0 || states.some((st) => OPEN_JOB_STATES.has(st))) return false;
    const job = jobs.find((j) => j?.failedReason) ?? jobs[failedAt];
    const reason = job?.failedReason ?? '';
    const code: ErrorCode =
      (job?.stalledCounter ?? 0) > 0 ? 'WORKER_LOST' : isErrorCode(reason) ? reason : 'INTERNAL_ERROR';
    const error = {
      code,
      message: `the build's ${job?.name ?? 'stage'} job failed without a record of it: ${reason || 'no reason given'}`,
      advice: ERROR_ADVICE[code] ?? ERROR_CODES[code].summary,
    };
    const changed = await this.store.setStatus(id, 'failed', this.now(), { error }, CLOSE_FAILED);
    await removeFlow((n) => this.queue(n), id, gpuType);
    return changed;
  }

  /** Fails a queued build no registered worker can run once that held for `limitMs`; true when it did. */
  private async failIfUnserved(
    id: string,
    plan: BuildPlan,
    workers: readonly WorkerRecord[],
    now: number,
    limitMs: number,
  ): Promise<boolean> {
    const { gpuType, gpuCount } = plan.builder;
    const reason = plan.steps.some((s) => GPU_STEP_KINDS.includes(s.kind))
      ? waitReason(workers, gpuType, gpuCount)
      : null;
    if (reason === null) {
      await this.store.clearUnservedSince(id);
      return false;
    }
    const since = await this.store.unservedSince(id, now);
    if (now - since < limitMs || !(await removeFlow((n) => this.queue(n), id, gpuType))) return false;
    const code = workers.some((w) => w.gpuType === gpuType) ? 'GPU_COUNT_UNAVAILABLE' : 'GPU_WAIT_EXPIRED';
    const message = `${reason} (for ${Math.round((now - since) / 1000)} s)`;
    const error = { code, message, advice: ERROR_ADVICE[code] ?? null };
    return this.store.setStatus(id, 'failed', now, { error }, CLOSE_FAILED);
  }

  /**
   * The build as the API shows it. A queued build that no worker has explained yet gets its wait
   * reason from the worker registry (e.g. no registered worker serves its GPU type).
   */
  async view(id: string): Promise<BuildView | null> {
    const build = await this.store.get(id);
    if (
      !build ||
      build.status !== 'queued' ||
      build.waitReason !== null ||
      build.steps.some((s) => s.kind === 'fetch' && s.status !== 'succeeded')
    )
      return build;
    const loaded = await this.store.load(id);
    const reason =
      loaded && loaded.plan.steps.some((s) => GPU_STEP_KINDS.includes(s.kind))
        ? waitReason(await this.metrics.workers.list(), build.gpuType, loaded.plan.builder.gpuCount)
        : null;
    return { ...build, waitReason: reason };
  }

  /** Cancels: a queued build leaves the queue; a running one is signalled (its worker kills the step). */
  async cancel(id: string): Promise<CancelResult> {
    const before = await this.store.get(id);
    if (!before) return { kind: 'not_found' };
    if (isTerminal(before.status)) return { kind: 'finished', build: before };
    await this.store.requestCancel(id);
    if (before.status === 'queued' && (await removeFlow((n) => this.queue(n), id, before.gpuType)))
      await this.store.setStatus(id, 'cancelled', this.now(), {}, { pending: 'cancelled', running: 'cancelled' });
    const after = (await this.store.get(id)) ?? before;
    return { kind: after.status === 'cancelled' ? 'cancelled' : 'requested', build: after };
  }

  /** Jobs waiting (incl. delayed and waiting for the fetch) and active, per GPU type with a queue. */
  async depths(): Promise<Record<string, { waiting: number; active: number }>> {
    const out: Record<string, { waiting: number; active: number }> = {};
    const names = [IO_QUEUE, ...GPU_TYPES.map((t) => buildQueueName(t))];
    await Promise.all(
      names.map(async (n) => {
        const c = await this.queue(n).getJobCounts('waiting', 'delayed', 'prioritized', 'waiting-children', 'active');
        out[n] = {
          waiting: (c['waiting'] ?? 0) + (c['delayed'] ?? 0) + (c['prioritized'] ?? 0) + (c['waiting-children'] ?? 0),
          active: c['active'] ?? 0,
        };
      }),
    );
    return out;
  }

  /** Closes the flow producer and queues (not the shared connection); waits for pending status events. */
  async close(): Promise<void> {
    await this.notifier.drain();
    await this.flow.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
