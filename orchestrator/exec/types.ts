/**
 * Contracts of the exec layer (the only place that spawns processes). Implementations live next
 * to this file; the worker (queue/) depends only on these types.
 */
import type { ContainerStep } from '../plan/types.js';

/** How a step's process ended, as plain data (never an Error object). */
export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly canceled: boolean;
  /** Last lines of stderr (and stdout), for classification and for people. Secrets are redacted. */
  readonly tail: string;
  readonly durationMs: number;
}

/** Failure classes that drive retry decisions (see build/decide-outcome.ts). */
export type FailureClass =
  | 'cuda_oom'
  | 'host_oom_killed'
  | 'timeout'
  | 'canceled'
  | 'bad_argument'
  | 'network'
  | 'container_runtime'
  | 'unknown';

export interface StepFailure {
  readonly class: FailureClass;
  /** Stable error code, e.g. `STEP_CUDA_OOM`. */
  readonly code: string;
  readonly message: string;
  /** Advice for people, e.g. "raise trt_llm.build.num_builder_gpus". */
  readonly advice: string | null;
  readonly retryable: boolean;
  readonly result: ProcessResult;
}

export type StepOutcome =
  | { readonly ok: true; readonly result: ProcessResult }
  | { readonly ok: false; readonly failure: StepFailure };

export interface StepRunContext {
  /** Host directory mounted at the plan's `workspace.mount`. */
  readonly workspaceDir: string;
  /** Container path the workspace is mounted at (plan.workspace.mount). */
  readonly workspaceMount: string;
  /** Device ids assigned to this step by the allocator (e.g. ["0","1"]). */
  readonly gpuIds: readonly string[];
  /** Secret values by name, for the step's `secretEnv` names only; passed via the environment, never argv. */
  readonly secrets: Readonly<Record<string, string>>;
  /** A unique, docker-safe name for the container/process of this attempt. */
  readonly runName: string;
  readonly signal: AbortSignal;
  /** Called once per output line (secrets already redacted). */
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Who this attempt belongs to; the docker executor puts these on the container as labels (fencing). */
  readonly labels?: AttemptLabels;
}

/** Labels every container of a step attempt carries, so an attempt's side effects can be found and stopped. */
export interface AttemptLabels {
  readonly build: string;
  readonly step: string;
  /** 1-based attempt number of the step's job. */
  readonly attempt: number;
  /** Name of the worker process that started the attempt. */
  readonly worker: string;
  /** Host the worker runs on (containers are local to it). */
  readonly host: string;
}

/**
 * Fencing: finds and stops this host's labelled step containers. The worker reaps orphans at start
 * and before it hands out GPUs, stops a job's containers when it loses the job's lock, and never
 * hands out a device that a live labelled container still uses.
 */
export interface ContainerFence {
  /** Stops every labelled container of `host` whose `build/step/attempt` key is not in `keep`; returns what it stopped. */
  reapOrphans(host: string, keep: ReadonlySet<string>): Promise<readonly AttemptLabels[]>;
  /** Stops every container of `build` (of one `step` when given) on this host; returns how many it stopped. */
  stopBuild(build: string, step?: string): Promise<number>;
  /** GPU device ids used by live labelled containers of `host`. */
  busyGpuIds(host: string): Promise<ReadonlySet<string>>;
}

/** The `build/step/attempt` key of an attempt (what `reapOrphans` keeps). */
export function attemptKey(labels: Pick<AttemptLabels, 'build' | 'step' | 'attempt'>): string {
  return `${labels.build}/${labels.step}/${labels.attempt}`;
}

/** Runs one container step: `docker` (pinned image) or `local` (host already is the container). */
export interface StepExecutor {
  readonly name: 'docker' | 'local';
  run(step: ContainerStep, ctx: StepRunContext): Promise<StepOutcome>;
}

/** Exclusive assignment of this host's GPU device ids to builds. */
export interface GpuAllocator {
  /** Device ids this allocator manages. */
  readonly deviceIds: readonly string[];
  /**
   * Takes `count` free devices for `holder`, or returns null when not enough are free. Devices in
   * `exclude` (e.g. still used by a live container of an earlier attempt) are never handed out.
   */
  tryAcquire(holder: string, count: number, exclude?: ReadonlySet<string>): readonly string[] | null;
  /** Releases every device held by `holder` (idempotent). */
  release(holder: string): void;
  /** Devices currently held, by holder. */
  snapshot(): Readonly<Record<string, readonly string[]>>;
}
