/**
 * The queue boundary of the one failure path: storage errors (SourceError, ArtifactStoreError,
 * PublishError) and anything else thrown become `Failure` data with a registry code, and a decided
 * retry travels to BullMQ's backoff as `AttemptFailedError`. Nothing here matches messages.
 */
import { ERROR_ADVICE, ERROR_CODES, isErrorCode } from '../build/error-codes.js';
import type { ErrorCode } from '../build/error-codes.js';
import type { Failure } from '../build/failure.js';
import { ArtifactStoreError } from '../storage/artifacts/errors.js';
import { PublishError } from '../storage/publish/errors.js';
import { SourceError } from '../storage/sources/errors.js';

const MAX_MESSAGE = 2000;

/** The registry code of a storage error, or null for anything else. */
export function registryCodeOf(err: unknown): ErrorCode | null {
  if (err instanceof SourceError) return isErrorCode(err.code) ? err.code : 'FETCH_FAILED';
  if (err instanceof ArtifactStoreError) return pick(`ARTIFACT_${err.code}`, 'PUBLISH_FAILED');
  if (err instanceof PublishError) return pick(`PUBLISH_${err.code}`, 'PUBLISH_FAILED');
  return null;
}

function pick(code: string, fallback: ErrorCode): ErrorCode {
  return isErrorCode(code) ? code : fallback;
}

/**
 * Any thrown value as a Failure: storage errors keep their (registered) code and retry flag;
 * an error carrying a registered `code` keeps it; anything else gets `fallback`.
 */
export function failureOf(err: unknown, fallback: ErrorCode): Failure {
  const rec = typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : {};
  const message = (typeof rec['message'] === 'string' ? rec['message'] : String(err)).slice(0, MAX_MESSAGE);
  const own = typeof rec['code'] === 'string' && isErrorCode(rec['code']) ? rec['code'] : null;
  const code = registryCodeOf(err) ?? own ?? fallback;
  const retryable =
    typeof rec['retryable'] === 'boolean'
      ? rec['retryable'] && ERROR_CODES[code].retryable
      : ERROR_CODES[code].retryable;
  const advice = typeof rec['advice'] === 'string' ? rec['advice'] : (ERROR_ADVICE[code] ?? null);
  return { code, message, advice, retryable };
}

/** Thrown to BullMQ for a decided retry; the worker's backoffStrategy reads `delayMs`. */
export class AttemptFailedError extends Error {
  constructor(
    readonly failure: Failure,
    readonly delayMs: number,
  ) {
    super(`attempt failed: ${failure.code}`);
    this.name = 'AttemptFailedError';
  }
}

/** The abort reason a worker uses when it shuts down (the job goes back to the queue, not cancelled). */
export const SHUTDOWN_REASON = 'worker-shutdown';
/** The abort reason when a worker lost a job's lock (another worker may own it now). */
export const LOCK_LOST_REASON = 'lock-lost';
