/**
 * The one failure shape: every failure of a build (a step, the fetch, the publish, a lost worker)
 * becomes this serializable data with a code from the registry before anything decides on it.
 * Pure types; the exec layer's StepFailure is one of these (with a class and the process result).
 */

/** Failure classes of a step process (exec/classify-failure.ts emits them). */
export type FailureClass =
  | 'cuda_oom'
  | 'host_oom_killed'
  | 'timeout'
  | 'canceled'
  | 'bad_argument'
  | 'network'
  | 'container_runtime'
  | 'unknown';

/** A failure as data: never an Error object. */
export interface Failure {
  /** A registry code (build/error-codes.ts). */
  readonly code: string;
  readonly message: string;
  readonly advice: string | null;
  /** Whether running the same thing again can help (the registry's flag unless the source knew better). */
  readonly retryable: boolean;
  /** Set for step-process failures; retries of other failures follow the registry. */
  readonly class?: FailureClass;
}

/** What is stored on a build and returned by the API. */
export interface StoredFailure {
  readonly code: string;
  readonly message: string;
  readonly advice: string | null;
}

/** The stored form of a failure (drops the decision inputs). */
export function storedFailure(f: Failure): StoredFailure {
  return { code: f.code, message: f.message, advice: f.advice };
}
