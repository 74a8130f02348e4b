/**
 * decideOutcome at its boundaries: failures without a step class (fetch, publish, registry codes),
 * the attempt cap against generous and zero budgets, attempt-number normalisation, the "gave up" wording, and
 * a retryable step code under a class with no retry budget.
 */
import { describe, expect, it } from 'vitest';
import {
  ADVICE,
  DEFAULT_RETRY_POLICY,
  RetryPolicy,
  decideOutcome,
} from '../../../orchestrator/build/decide-outcome.js';
import { ERROR_ADVICE, ERROR_CODES } from '../../../orchestrator/build/error-codes.js';
import type { Failure, FailureClass } from '../../../orchestrator/build/failure.js';

// Written out, not parsed at import: a schema mutant must fail a test, not the file's import.
const policy: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  maxAttempts: 4,
  baseDelayMs: 1000,
  backoffFactor: 3,
  maxDelayMs: 1_000_000,
};
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

  it('maxAttempts 1 leaves no retry to give up on: plain advice, for every class with a budget and for registry codes', () => {
    // Before: an unknown failure with unknownRetries 1 said "gave up after 1 attempt" under maxAttempts 1,
    // while a network failure under the same cap did not.
    const one = RetryPolicy.parse({ maxAttempts: 1, unknownRetries: 1, timeoutRetries: 1 });
    expect(decideOutcome(failure, 1, one)).toEqual({ action: 'fail', code: 'STEP_FAILED', advice: ADVICE.unknown });
    const step = (cls: FailureClass, code: string): Failure => ({
      code,
      message: 'm',
      advice: null,
      retryable: true,
      class: cls,
    });
    expect(decideOutcome(step('timeout', 'STEP_TIMEOUT'), 1, one)).toEqual({
      action: 'fail',
      code: 'STEP_TIMEOUT',
      advice: ADVICE.timeout,
    });
    for (const cls of ['network', 'container_runtime'] as const) {
      const code = cls === 'network' ? 'STEP_NETWORK' : 'STEP_CONTAINER_RUNTIME';
      expect(decideOutcome(step(cls, code), 1, one)).toEqual({ action: 'fail', code, advice: ADVICE[cls] });
    }
    expect(decideOutcome(plain('FETCH_FAILED', true), 1, one)).toEqual({
      action: 'fail',
      code: 'FETCH_FAILED',
      advice: ERROR_CODES.FETCH_FAILED.summary,
    });
  });

  it('a budget smaller than maxAttempts gives up after budget + 1 attempts, and says so', () => {
    expect(decideOutcome(failure, 1, unknown(1, 4))).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideOutcome(failure, 2, unknown(1, 4))).toEqual({
      action: 'fail',
      code: 'STEP_FAILED',
      advice: `gave up after 2 attempts; ${ADVICE.unknown}`,
    });
  });

  it('a zero budget under a generous cap: plain advice at once', () => {
    expect(decideOutcome(failure, 1, unknown(0, 9))).toEqual({
      action: 'fail',
      code: 'STEP_FAILED',
      advice: ADVICE.unknown,
    });
  });

  it('attempt 0, negative, NaN and Infinity never turn a permanent failure into a retry', () => {
    const oom: Failure = { code: 'STEP_CUDA_OOM', message: 'm', advice: null, retryable: false, class: 'cuda_oom' };
    for (const attempt of [0, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(decideOutcome(oom, attempt, policy), String(attempt)).toEqual({
        action: 'fail',
        code: 'STEP_CUDA_OOM',
        advice: ADVICE.cuda_oom,
      });
      expect(decideOutcome(plain('HF_REPO_GATED', true), attempt, policy).action, String(attempt)).toBe('fail');
    }
  });

  it('a non-finite attempt reads as the first: a retryable failure is retried after the base delay', () => {
    for (const attempt of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -7]) {
      expect(decideOutcome(failure, attempt, unknown(2, 4)), String(attempt)).toEqual({ action: 'retry', delayMs: 10 });
      expect(decideOutcome(plain('FETCH_FAILED', true), attempt, policy), String(attempt)).toEqual({
        action: 'retry',
        delayMs: 1000,
      });
    }
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

describe('the retry policy schema: each bound, on both sides', () => {
  const ok = (p: Record<string, number>): boolean => RetryPolicy.safeParse(p).success;
  it.each([
    ['maxAttempts', 1, 100, [0, 101, 1.5]],
    ['baseDelayMs', 0, 1e12, [-1, 0.5]],
    ['backoffFactor', 1, 10, [0.99, 10.01]],
    ['maxDelayMs', 0, 1e12, [-1, 0.5]],
    ['unknownRetries', 0, 1000, [-1, 0.5]],
    ['timeoutRetries', 0, 1000, [-1, 0.5]],
  ] as const)('%s accepts %d and %d, refuses %j', (key, low, high, bad) => {
    expect(ok({ [key]: low })).toBe(true);
    expect(ok({ [key]: high })).toBe(true);
    for (const v of bad) expect(ok({ [key]: v }), String(v)).toBe(false);
  });
  it('backoffFactor may be fractional', () => {
    expect(RetryPolicy.parse({ backoffFactor: 1.5 }).backoffFactor).toBe(1.5);
  });
});

describe('class advice', () => {
  it('every class has its own non-empty one-line advice', () => {
    const texts = Object.values(ADVICE);
    for (const t of texts) {
      expect(t.trim().length).toBeGreaterThan(10);
      expect(t).not.toContain('\n');
    }
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('a step failure without advice of its own gets its class advice', () => {
    const classes: readonly FailureClass[] = [
      'cuda_oom',
      'host_oom_killed',
      'timeout',
      'bad_argument',
      'network',
      'container_runtime',
      'unknown',
    ];
    for (const cls of classes) {
      // STEP_FAILED has no ERROR_ADVICE entry, so the class decides the advice; cap 1: no "gave up".
      const f: Failure = { code: 'STEP_FAILED', message: 'm', advice: null, retryable: true, class: cls };
      expect(decideOutcome(f, 1, RetryPolicy.parse({ maxAttempts: 1 })), cls).toMatchObject({
        action: 'fail',
        advice: ADVICE[cls],
      });
    }
  });
});
