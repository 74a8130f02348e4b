/**
 * The job catalog: every BullMQ queue and job this service uses, with its payload schema and its
 * attempts/retention/lock settings. Workers parse their payload with these schemas on the first line.
 */
import { z } from 'zod';
import { DEFAULT_RETRY_POLICY } from '../build/decide-outcome.js';
import { GPU_TYPES } from '../gpu/catalog.js';
import type { GpuType } from '../gpu/catalog.js';
import type { StepKind } from '../plan/types.js';

/** The IO queue: downloads (no GPU). */
export const IO_QUEUE = 'io';

/** Queue of the builds targeting one GPU type, e.g. `build-H100`. */
export function buildQueueName(gpuType: GpuType): string {
  return `build-${gpuType}`;
}

/** Build ids: 16 hex of the plan hash, then a generation number (`3f2a…-1`). */
export const BUILD_ID_RE = /^[0-9a-f]{16}-[1-9][0-9]{0,8}$/;
export const PLAN_HASH_RE = /^sha256:[0-9a-f]{64}$/;

/** Payload of the build job (queue `build-<GPUTYPE>`; job id = build id). Never holds a URL or secret. */
export const BuildJobData = z.object({
  buildId: z.string().regex(BUILD_ID_RE),
  planHash: z.string().regex(PLAN_HASH_RE),
  gpuType: z.enum(GPU_TYPES),
});
export type BuildJobData = z.infer<typeof BuildJobData>;

/**
 * A build is a BullMQ flow, one job per stage on the queue that suits it: `fetch` (queue `io`, job
 * id `<build id>-fetch`) → `build` (queue `build-<GPUTYPE>`, job id = build id; only when the plan
 * has GPU steps) → `publish` (queue `io`, job id `<build id>-publish`). Each job is the child of the
 * next, so a stage starts when the one before it completed, and a final failure fails the rest.
 * Every job carries the same payload and runs the plan's steps of its stage.
 */
export const JOB_NAMES = { build: 'build', fetch: 'fetch', publish: 'publish' } as const;
/** A job's name is its stage; workers parse it like the payload. */
export const JobName = z.enum([JOB_NAMES.fetch, JOB_NAMES.build, JOB_NAMES.publish]);
export type JobName = z.infer<typeof JobName>;

/** Step kinds that run on GPUs (the `build` job); fetch and publish run on `io`. */
export const GPU_STEP_KINDS: readonly string[] = ['convert', 'quantize', 'engine_build'] satisfies StepKind[];

/** The job that runs steps of this kind. */
export function stageOfStep(kind: string): JobName {
  return kind === 'fetch' || kind === 'publish' ? kind : JOB_NAMES.build;
}

/** Fetch job id for a build (BullMQ ids must not contain `:`). */
export function fetchJobId(buildId: string): string {
  return `${buildId}-fetch`;
}

/** Publish job id for a build. */
export function publishJobId(buildId: string): string {
  return `${buildId}-publish`;
}

/** The build id behind any of a build's job ids. */
export function buildIdOfJob(jobId: string): string {
  return jobId.replace(/-(fetch|publish)$/, '');
}

/** A flow stage: job name, queue and job id. */
export interface Stage {
  readonly name: JobName;
  readonly queueName: string;
  readonly jobId: (buildId: string) => string;
}

/** What the stages depend on (a stored, redacted plan has it too). */
export interface StagedPlan {
  readonly builder: { readonly gpuType: GpuType };
  readonly steps: readonly { readonly kind: string }[];
}

/** The stages of a plan's flow, first to last: those with at least one step. */
export function stagesOf(plan: StagedPlan): Stage[] {
  const all: Stage[] = [
    { name: JOB_NAMES.fetch, queueName: IO_QUEUE, jobId: fetchJobId },
    { name: JOB_NAMES.build, queueName: buildQueueName(plan.builder.gpuType), jobId: (id) => id },
    { name: JOB_NAMES.publish, queueName: IO_QUEUE, jobId: publishJobId },
  ];
  return all.filter((st) => plan.steps.some((s) => stageOfStep(s.kind) === st.name));
}

/** The custom backoff type: the delay comes from `decideOutcome` (see the worker's backoffStrategy). */
export const DECIDED_BACKOFF = 'decided';

/**
 * Attempts, backoff and retention per job. Build attempts follow the default retry policy (the
 * delay of each retry comes from `decideOutcome`); finished jobs expire with the build records.
 */
export function jobSettings(retentionMs: number) {
  const keep = { age: Math.max(1, Math.ceil(retentionMs / 1000)) };
  const job = (attempts: number, delay: number) =>
    ({ attempts, backoff: { type: DECIDED_BACKOFF, delay }, removeOnComplete: keep, removeOnFail: keep }) as const;
  return { build: job(DEFAULT_RETRY_POLICY.maxAttempts, 1000), fetch: job(3, 2000), publish: job(3, 2000) };
}

/** Lock/stall settings of a worker. lockDuration: ms a job lock lives without renewal. */
export interface WorkerTuning {
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalledCount: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  lockDuration: 30_000,
  stalledInterval: 15_000,
  // A backstop above the retry policy: a job taken over after a stall asks decideOutcome (as
  // WORKER_LOST) whether to go on, so the policy fails it before BullMQ's stall limit would.
  maxStalledCount: DEFAULT_RETRY_POLICY.maxAttempts,
};
