/**
 * The producer side: submit a plan as a BullMQ flow (fetch on `io` as the child of the build on
 * `build-<GPUTYPE>`), cancel builds, and read queue depths. Job ids derive from the plan hash, so
 * duplicate submissions collapse onto one build.
 */
import type { Redis } from 'ioredis';
import { FlowProducer, Queue } from 'bullmq';
import type { FlowJob } from 'bullmq';
import type { GpuType } from '../gpu/catalog.js';
import { GPU_TYPES } from '../gpu/catalog.js';
import type { BuildPlan } from '../plan/types.js';
import { BuildStore, viewOfNewBuild } from './build-store.js';
import type { ArtifactsView, BuildView } from './build-view.js';
import { isTerminalStatus } from './build-view.js';
import { IO_QUEUE, JOB_NAMES, JOB_SETTINGS, buildQueueName, fetchJobId } from './job-catalog.js';
import type { BuildJobData } from './job-catalog.js';
import { MetricsStore } from './metrics-store.js';

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

/** States in which a build job can simply be removed from its queue. */
const REMOVABLE = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/** Producer-side handle on the build queues and records. */
export class BuildQueue {
  readonly store: BuildStore;
  readonly metrics: MetricsStore;
  private readonly flow: FlowProducer;
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly now: () => number,
    logCap?: number,
  ) {
    this.store = new BuildStore(connection, prefix, logCap);
    this.metrics = new MetricsStore(connection, this.store.keys);
    this.flow = new FlowProducer({ connection, prefix });
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
   * Submits a plan: existing live build → returned as is; published → succeeded at once; else a
   * new flow. `config` (secrets already removed) is kept for the manifest.
   */
  async submit(plan: BuildPlan, published: ArtifactsView | null, config: unknown = null): Promise<SubmitResult> {
    const now = this.now();
    const claim = await this.store.claim(plan, now, published, config);
    if (claim.created && !published) await this.enqueue(plan, claim.id);
    const build = claim.created ? viewOfNewBuild(claim.id, plan, now, published) : await this.store.get(claim.id);
    if (!build) throw new Error(`build ${claim.id} vanished after submit`);
    return { created: claim.created, build };
  }

  private async enqueue(plan: BuildPlan, id: string): Promise<void> {
    const data: BuildJobData = { buildId: id, planHash: plan.planHash, gpuType: plan.builder.gpuType };
    const hasFetch = plan.steps.some((s) => s.kind === 'fetch');
    const job: FlowJob = {
      name: JOB_NAMES.build,
      queueName: buildQueueName(plan.builder.gpuType),
      data,
      opts: { jobId: id, ...JOB_SETTINGS.build },
      ...(hasFetch
        ? { children: [{ name: JOB_NAMES.fetch, queueName: IO_QUEUE, data, opts: { jobId: fetchJobId(id), failParentOnFailure: true, ...JOB_SETTINGS.fetch } }] }
        : {}),
    };
    await this.flow.add(job);
  }

  /** Cancels: a queued build leaves the queue; a running one is signalled (its worker kills the step). */
  async cancel(id: string): Promise<CancelResult> {
    const before = await this.store.get(id);
    if (!before) return { kind: 'not_found' };
    if (isTerminalStatus(before.status)) return { kind: 'finished', build: before };
    await this.store.requestCancel(id);
    if (before.status === 'queued' && (await this.tryRemove(id, before.gpuType))) {
      await this.store.closeOpenSteps(id, 'cancelled', this.now());
      await this.store.setStatus(id, 'cancelled', this.now());
    }
    const after = (await this.store.get(id)) ?? before;
    return { kind: after.status === 'cancelled' ? 'cancelled' : 'requested', build: after };
  }

  /**
   * Removes a queued build job (with its fetch child). While the fetch child is running the job is
   * locked: poll until the fetch ends (the cancel request aborts it) or `waitMs` passes.
   */
  private async tryRemove(id: string, gpuType: GpuType, waitMs = 3000): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await this.queue(buildQueueName(gpuType)).getJob(id);
      if (!job) return false;
      const state = await job.getState();
      if (!REMOVABLE.has(state)) return false;
      try {
        await job.remove({ removeChildren: true });
        return true;
      } catch {
        // Locked: the fetch child is running. Its worker sees the cancel request.
        if (Date.now() > deadline || (await this.store.status(id)) !== 'queued') return false;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  /** Jobs waiting (incl. delayed and waiting for the fetch) and active, per GPU type with a queue. */
  async depths(): Promise<Record<string, { waiting: number; active: number }>> {
    const out: Record<string, { waiting: number; active: number }> = {};
    const names = [IO_QUEUE, ...GPU_TYPES.map((t) => buildQueueName(t))];
    await Promise.all(
      names.map(async (n) => {
        const c = await this.queue(n).getJobCounts('waiting', 'delayed', 'prioritized', 'waiting-children', 'active');
        out[n] = { waiting: (c['waiting'] ?? 0) + (c['delayed'] ?? 0) + (c['prioritized'] ?? 0) + (c['waiting-children'] ?? 0), active: c['active'] ?? 0 };
      }),
    );
    return out;
  }

  /** Closes the flow producer and queues (not the shared connection). */
  async close(): Promise<void> {
    await this.flow.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
