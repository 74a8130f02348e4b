/**
 * Turns thrown errors from ports (fetch, publish) into stored failure data with a stable code.
 * Storage errors carry `code` and `retryable`; anything else gets the caller's fallback code.
 */
import type { BuildError } from './build-view.js';

export interface ThrownFailure {
  readonly error: BuildError;
  readonly retryable: boolean;
}

const CODE_RE = /^[A-Z][A-Z0-9_]{2,63}$/;

/** Classifies an unknown thrown value as `{ error: {code, message, advice}, retryable }`. */
export function failureFromThrown(err: unknown, fallbackCode: string): ThrownFailure {
  if (typeof err === 'object' && err !== null) {
    const rec = err as Record<string, unknown>;
    const code = typeof rec['code'] === 'string' && CODE_RE.test(rec['code']) ? rec['code'] : fallbackCode;
    const message = typeof rec['message'] === 'string' ? rec['message'].slice(0, 2000) : 'unknown error';
    const advice = typeof rec['advice'] === 'string' ? rec['advice'] : null;
    const retryable = typeof rec['retryable'] === 'boolean' ? rec['retryable'] : true;
    return { error: { code, message, advice }, retryable };
  }
  return { error: { code: fallbackCode, message: String(err), advice: null }, retryable: true };
}

/** Thrown by the build processor to ask BullMQ for a retry after `delayMs` (see backoffStrategy). */
export class StepRetryError extends Error {
  constructor(
    readonly code: string,
    readonly delayMs: number,
  ) {
    super(`retryable step failure ${code}`);
    this.name = 'StepRetryError';
  }
}

/** The abort reason a worker uses when it shuts down (the job goes back to the queue, not cancelled). */
export const SHUTDOWN_REASON = 'worker-shutdown';
