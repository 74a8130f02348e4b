/**
 * The ports the queue service depends on, injected as one `Deps` object by the composition roots
 * (main/) and by tests. Real adapters: planner (plan/), executors and allocator (exec/), retry
 * policy (build/), fetch and publish (storage/).
 */
import type { Failure } from '../build/failure.js';
import type { ContainerFence, GpuAllocator, StepExecutor } from '../exec/types.js';
import type { GpuType } from '../gpu/catalog.js';
import type { BuildPlan, FetchItem, PublishStep } from '../plan/types.js';
import type { FetchContext, FetchedItem } from '../storage/ports.js';
import type { RedisClient } from '../records/redis-keys.js';
import type { ArtifactsView } from '../records/build-view.js';
import type { WorkerTuning } from './job-catalog.js';
import type { Log } from '../records/service-log.js';
import type { StatusListener } from '../records/status-events.js';

/** Exactly the `trt-plan --json` object (declared once, in preflight/types.ts, beside its pre-flight section). */
export type { PreflightOutcome as PlanOutcome } from '../preflight/types.js';
import type { PreflightOutcome as PlanOutcome } from '../preflight/types.js';

/** Validates and plans a config text (YAML or JSON). */
export type PlanConfig = (text: string) => PlanOutcome;

/** What to do after a failed step (from the pure `decideOutcome`). */
export type Decision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'fail'; readonly code: string; readonly advice: string | null }
  | { readonly action: 'cancel' };

/** `decideOutcome(failure, attempt, policy)` with the policy bound; attempt is 1-based. Every failure goes through it. */
export type DecideOutcome = (failure: Failure, attempt: number) => Decision;

export interface PublishInput {
  readonly plan: BuildPlan;
  readonly step: PublishStep;
  /** Host directory mounted at `plan.workspace.mount`. */
  readonly workspaceDir: string;
  readonly fetched: readonly FetchedItem[];
  /** The submitted config (parsed YAML/JSON) for the manifest; the publisher removes secrets. */
  readonly config: unknown;
}

export interface PublishOutcome {
  readonly alreadyPublished: boolean;
  readonly artifacts: ArtifactsView;
}

/** The artifact store side: is a plan published, and publish it (files first, manifest last). */
export interface Publisher {
  /** Where the plan's build lives when its manifest exists, else null. */
  published(planHash: string): Promise<ArtifactsView | null>;
  publish(input: PublishInput): Promise<PublishOutcome>;
}

/** Downloads a plan's fetch items into the workspace. */
export type FetchItems = (items: readonly FetchItem[], ctx: FetchContext) => Promise<readonly FetchedItem[]>;

/** Everything a worker process needs. */
export interface WorkerDeps {
  /** ioredis instance (or Cluster) with `maxRetriesPerRequest: null` (BullMQ requirement). */
  readonly connection: RedisClient;
  /** Key prefix for BullMQ queues and build records. */
  readonly prefix: string;
  /** Serve `build-<gpuType>` (null: IO-only worker). */
  readonly gpuType: GpuType | null;
  /** Serve the IO (fetch) queue. */
  readonly io: boolean;
  readonly executor: StepExecutor;
  readonly allocator: GpuAllocator;
  readonly fetchItems: FetchItems;
  /**
   * Checked before a fetch starts: null when the build fits on this worker's disk, else why not
   * (the build then fails WORKER_DISK_FULL without downloading). Absent: no check.
   */
  readonly diskCheck?: (plan: BuildPlan, workspaceDir: string) => Promise<string | null>;
  readonly publisher: Publisher;
  readonly decideOutcome: DecideOutcome;
  /** Secret values by name; a step gets only the names it lists. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Per-build workspaces live under `<workDir>/builds/<id>`. */
  readonly workDir: string;
  readonly now: () => number;
  /** Unique, docker-safe id for a run name. */
  readonly newRunId: () => string;
  readonly log: Log;
  /** Unique name of this worker (metrics, BullMQ worker name). */
  readonly workerName: string;
  readonly tuning?: WorkerTuning;
  /** Parallel build jobs (default: number of devices, at least 1). */
  readonly concurrency?: number;
  readonly ioConcurrency?: number;
  /** How long a build may wait for GPUs (too few free, or no worker big enough) before it fails (ms, default 1 h). */
  readonly gpuWaitLimitMs?: number;
  /** Finds and stops this host's step containers (fencing); absent: no fencing (local executor). */
  readonly fence?: ContainerFence;
  /** This worker's host name (container labels, orphan reaping); default os.hostname(). */
  readonly host?: string;
  /** Called after every committed status change, in order per build. */
  readonly statusListeners?: readonly StatusListener[];
  /** Heartbeat period of the worker registry (ms, default 5000; a worker vanishes after 3 missed beats). */
  readonly heartbeatMs?: number;
  /** How long finished builds stay in Redis (ms). */
  readonly retentionMs?: number;
  readonly logCap?: number;
}
