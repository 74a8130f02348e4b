/**
 * Pure retry decisions: given how a step failed, which attempt that was, and the retry policy, say
 * whether to retry (and after how long), fail for good (with advice), or treat the build as
 * cancelled. The worker acts on the answer (BullMQ backoff for `retry`, `UnrecoverableError` for
 * `fail`); nothing here sleeps, reads a clock or draws random numbers.
 */
import { z } from 'zod';
import { ERROR_ADVICE, ERROR_CODES, FAILURE_CLASS_CODES, isErrorCode, type ErrorCode } from './error-codes.js';
import type { Failure, FailureClass } from './failure.js';

/** Retry policy for one build. Delays in milliseconds; attempts count from 1. */
export const RetryPolicy = z.object({
  /** Most attempts in total (first run included) for transient failures. */
  maxAttempts: z.number().int().min(1).max(100).default(4),
  /** Delay before the second attempt; later ones grow by `backoffFactor`. */
  baseDelayMs: z.number().int().min(0).default(5_000),
  backoffFactor: z.number().min(1).max(10).default(2),
  /** Upper bound of any single delay. */
  maxDelayMs: z.number().int().min(0).default(300_000),
  /** Retries granted to a failure nobody recognised (`unknown`), within `maxAttempts`. */
  unknownRetries: z.number().int().min(0).default(1),
  /** Retries granted to a step timeout (a slow download or a busy host), within `maxAttempts`. */
  timeoutRetries: z.number().int().min(0).default(0),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/**
 * The default policy: 4 attempts, 5 s → 10 s → 20 s, one retry for unknown, none for timeouts. It is
 * `RetryPolicy.parse({})` (a test holds the two equal), written out so that a broken schema fails
 * that test instead of this module's import.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 5_000,
  backoffFactor: 2,
  maxDelayMs: 300_000,
  unknownRetries: 1,
  timeoutRetries: 0,
};

export type Outcome =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'fail'; readonly code: ErrorCode; readonly advice: string }
  | { readonly action: 'cancel' };

const TRANSIENT: ReadonlySet<FailureClass> = new Set(['network', 'container_runtime']);

/** Advice for a failure that will not be retried, by class. */
export const ADVICE: Readonly<Record<FailureClass, string>> = {
  cuda_oom:
    'the step ran out of GPU memory: raise trt_llm.build.num_builder_gpus (builds and quantizes across more GPUs), or lower max_batch_size / max_num_tokens / max_seq_len',
  host_oom_killed:
    'the step was killed for using too much host memory: run the build on a host with more RAM, or raise trt_llm.build.num_builder_gpus so each process loads less',
  timeout: 'the step ran past its time limit: raise the step timeout, or check that the host is not overloaded',
  canceled: 'the build was cancelled',
  bad_argument:
    'a build tool rejected its arguments: check the config values named in the log tail; if the config is valid, the planner produced a wrong command (please report it)',
  network:
    'a network error persisted over every attempt: check connectivity to the checkpoint source and registry, then resubmit',
  container_runtime:
    'the container runtime kept failing to start the step: check Docker and the NVIDIA container toolkit on the worker host',
  unknown: 'the step failed for an unrecognised reason: read the log tail of the failed step',
};

/**
 * Decides what happens after `attempt` (1-based) failed with `failure`, for every kind of failure
 * (step, fetch, publish, lost worker). Step failures (with a class): transient ones (network,
 * container runtime) back off exponentially until `maxAttempts`; an unknown failure is retried
 * `unknownRetries` times; timeouts `timeoutRetries` times; OOM and bad arguments fail at once; a
 * step code the registry marks permanent is never retried; a cancel is a cancel. Other failures
 * follow the registry: a retryable code (and a retryable failure) backs off until `maxAttempts`,
 * anything else fails at once. The advice is the failure's own, else the code's, else the class's.
 */
export function decideOutcome(failure: Failure, attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Outcome {
  const cls = failure.class;
  if (cls === 'canceled') return { action: 'cancel' };
  const code = codeOf(failure);
  let budget: number;
  if (cls === undefined) {
    budget = ERROR_CODES[code].retryable && failure.retryable ? Number.POSITIVE_INFINITY : 0;
  } else {
    // A step code the registry calls permanent (e.g. STEP_OUTPUT_MISSING) is never retried; only a
    // timeout's retries are left to the policy.
    const permanent = cls !== 'timeout' && !ERROR_CODES[code].retryable;
    budget = permanent ? 0 : retryBudget(cls, policy);
  }
  // The retries this failure may have: its budget, within maxAttempts (the one place the cap applies).
  const retriesAllowed = Math.min(budget, policy.maxAttempts - 1);
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  if (n <= retriesAllowed) return { action: 'retry', delayMs: backoffDelay(n, policy) };
  const advice = failure.advice ?? ERROR_ADVICE[code] ?? (cls === undefined ? ERROR_CODES[code].summary : ADVICE[cls]);
  // Only a failure that could have been retried says so; it failed at attempt 2 or later (n > retriesAllowed ≥ 1).
  if (retriesAllowed > 0) {
    return { action: 'fail', code, advice: `gave up after ${Math.min(n, policy.maxAttempts)} attempts; ${advice}` };
  }
  return { action: 'fail', code, advice };
}

/** How many retries (attempts after the first) a class gets under `policy`, before the maxAttempts cap. */
function retryBudget(cls: FailureClass, policy: RetryPolicy): number {
  if (TRANSIENT.has(cls)) return Number.POSITIVE_INFINITY;
  if (cls === 'unknown') return policy.unknownRetries;
  if (cls === 'timeout') return policy.timeoutRetries;
  return 0;
}

/** Delay before attempt `failedAttempt + 1`: base · factor^(failedAttempt − 1), capped. */
export function backoffDelay(failedAttempt: number, policy: RetryPolicy): number {
  const raw = policy.baseDelayMs * Math.pow(policy.backoffFactor, Math.max(0, failedAttempt - 1));
  return Math.min(policy.maxDelayMs, Math.round(raw));
}

/**
 * A step failure's own code when it is a registered step code (e.g. `STEP_ACCESS_DENIED`), else its
 * class's code; any other failure's code when registered, else INTERNAL_ERROR.
 */
function codeOf(failure: Failure): ErrorCode {
  if (failure.class === undefined) return isErrorCode(failure.code) ? failure.code : 'INTERNAL_ERROR';
  return isErrorCode(failure.code) && failure.code.startsWith('STEP_')
    ? failure.code
    : FAILURE_CLASS_CODES[failure.class];
}
