/**
 * decideOutcome at its boundaries: failures without a step class (fetch, publish, registry codes),
 * the attempt cap against generous budgets, attempt-number normalisation, the "gave up" wording, and
 * a retryable step code under a class with no retry budget.
 */
import { describe, expect, it } from 'vitest';
import { RetryPolicy, decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import { ERROR_ADVICE, ERROR_CODES } from '../../../orchestrator/build/error-codes.js';
import type { Failure } from '../../../orchestrator/build/failure.js';

const policy = RetryPolicy.parse({ maxAttempts: 4, baseDelayMs: 1000, backoffFactor: 3, maxDelayMs: 1_000_000 });
/** The outcome is a failure whose advice starts as `pattern` says. */
function expectGaveUp(outcome: ReturnType<typeof decideOutcome>, pattern: RegExp): void {
  expect(outcome.action).toBe('fail');
  expect(outcome.action === 'fail' ? outcome.advice : '').toMatch(pattern);
}
const plain = (code: string, retryable: boolean): Failure => ({ code, message: 'm', advice: null, retryable });

describe('failures without a step class', () => {
  it('a retryable registry code the source calls retryable: retried up to the cap, then "gave up after 4 attempts"', () => {
    const f = plain('FETCH_FAILED', true);
    expect(decideOutcome(f, 1, policy)).toEqual({ action: 'retry', delayMs: 1000 });
    expect(decideOutcome(f, 2, policy)).toEqual({ action: 'retry', delayMs: 3000 });
    expect(decideOutcome(f, 3, policy)).toEqual({ action: 'retry', delayMs: 9000 });
    const advice = ERROR_ADVICE.FETCH_FAILED ?? ERROR_CODES.FETCH_FAILED.summary;
    expect(decideOutcome(f, 4, policy)).toEqual({
      action: 'fail',
      code: 'FETCH_FAILED',
      advice: `gave up after 4 attempts; ${advice}`,
    });
  });

  it('the source saying "not retryable" wins over a retryable registry code, and the advice has no "gave up"', () => {
    const r = decideOutcome(plain('FETCH_FAILED', false), 1, policy);
    expect(r).toEqual({
      action: 'fail',
      code: 'FETCH_FAILED',
      advice: ERROR_ADVICE.FETCH_FAILED ?? ERROR_CODES.FETCH_FAILED.summary,
    });
  });

  it('a permanent registry code is not retried even when the source says retryable', () => {
    expect(decideOutcome(plain('HF_REPO_GATED', true), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'HF_REPO_GATED',
    });
  });

  it('a code without registry advice falls back to its summary', () => {
    expect(ERROR_ADVICE.WORKER_DISK_FULL).toBeUndefined();
    expect(decideOutcome(plain('WORKER_DISK_FULL', false), 1, policy)).toEqual({
      action: 'fail',
      code: 'WORKER_DISK_FULL',
      advice: ERROR_CODES.WORKER_DISK_FULL.summary,
    });
  });

  it('an unregistered code becomes INTERNAL_ERROR', () => {
    expect(decideOutcome(plain('NOT_A_CODE', false), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'INTERNAL_ERROR',
    });
  });
});

describe('attempts and budgets', () => {
  const unknown = (retries: number, maxAttempts: number): RetryPolicy =>
    RetryPolicy.parse({ maxAttempts, unknownRetries: retries, baseDelayMs: 10 });
  const failure: Failure = { code: 'STEP_FAILED', message: 'm', advice: null, retryable: true, class: 'unknown' };

  it('a budget larger than maxAttempts still stops at maxAttempts', () => {
    expect(decideOutcome(failure, 2, unknown(5, 3))).toMatchObject({ action: 'retry' });
    expectGaveUp(decideOutcome(failure, 3, unknown(5, 3)), /^gave up after 3 attempts; /);
    expectGaveUp(decideOutcome(failure, 10, unknown(5, 3)), /^gave up after 3 attempts; /);
  });

  it('says "1 attempt" in the singular', () => {
    expectGaveUp(decideOutcome(failure, 1, unknown(1, 1)), /^gave up after 1 attempt; /);
  });

  it('reads fractional and sub-1 attempt numbers as whole attempts from 1', () => {
    const p = unknown(2, 4);
    expect(decideOutcome(failure, 0.5, p)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideOutcome(failure, 1.9, p)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideOutcome(failure, 2.5, p)).toEqual({ action: 'retry', delayMs: 20 });
    expect(decideOutcome(failure, 3, p)).toMatchObject({ action: 'fail' });
  });

  it('a retryable step code under a class with no budget (cuda_oom) is not retried, whatever the timeout budget', () => {
    const f: Failure = { code: 'STEP_GPU_BUSY', message: 'm', advice: null, retryable: true, class: 'cuda_oom' };
    expect(ERROR_CODES.STEP_GPU_BUSY.retryable).toBe(true);
    expect(decideOutcome(f, 1, RetryPolicy.parse({ timeoutRetries: 2 }))).toMatchObject({
      action: 'fail',
      code: 'STEP_GPU_BUSY',
    });
  });
});
