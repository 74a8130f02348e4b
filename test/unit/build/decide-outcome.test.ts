import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  RetryPolicy,
  backoffDelay,
  decideOutcome,
} from '../../../orchestrator/build/decide-outcome.js';
import type { FailureClass, StepFailure } from '../../../orchestrator/exec/types.js';

function failure(cls: FailureClass, code = 'STEP_X'): StepFailure {
  return {
    class: cls,
    code,
    message: 'm',
    advice: null,
    retryable: false,
    result: { exitCode: 1, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 1 },
  };
}

// Written out, not parsed at import: a schema mutant must fail a test, not the file's import.
const policy: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  maxAttempts: 4,
  baseDelayMs: 1000,
  backoffFactor: 2,
  maxDelayMs: 3000,
};

describe('decideOutcome', () => {
  it('backs off exponentially for network and container-runtime failures, capped, then fails', () => {
    for (const cls of ['network', 'container_runtime'] as const) {
      expect(decideOutcome(failure(cls), 1, policy)).toEqual({ action: 'retry', delayMs: 1000 });
      expect(decideOutcome(failure(cls), 2, policy)).toEqual({ action: 'retry', delayMs: 2000 });
      expect(decideOutcome(failure(cls), 3, policy)).toEqual({ action: 'retry', delayMs: 3000 });
      const last = decideOutcome(failure(cls), 4, policy);
      expect(last.action).toBe('fail');
      if (last.action === 'fail') expect(last.advice).toMatch(/^gave up after 4 attempts; /);
    }
  });

  it('retries an unknown failure once only', () => {
    expect(decideOutcome(failure('unknown'), 1, policy)).toEqual({ action: 'retry', delayMs: 1000 });
    expect(decideOutcome(failure('unknown'), 2, policy)).toMatchObject({ action: 'fail', code: 'STEP_FAILED' });
  });

  it('stops at once on CUDA OOM with the num_builder_gpus advice', () => {
    const o = decideOutcome(failure('cuda_oom', 'STEP_CUDA_OOM'), 1, policy);
    expect(o).toMatchObject({ action: 'fail', code: 'STEP_CUDA_OOM' });
    if (o.action === 'fail') expect(o.advice).toContain('raise trt_llm.build.num_builder_gpus');
  });

  it('stops at once on host OOM and bad arguments, keeping a registered step code of the failure', () => {
    expect(decideOutcome(failure('host_oom_killed', 'STEP_HOST_OOM'), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'STEP_HOST_OOM',
    });
    expect(decideOutcome(failure('bad_argument', 'STEP_ACCESS_DENIED'), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'STEP_ACCESS_DENIED',
    });
    // An unregistered code on the failure falls back to the class's code.
    expect(decideOutcome(failure('bad_argument', 'WHATEVER'), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'STEP_BAD_ARGUMENT',
    });
    // A registered non-step code is not taken over either.
    expect(decideOutcome(failure('network', 'UNAUTHORIZED'), 9, policy)).toMatchObject({
      action: 'fail',
      code: 'STEP_NETWORK',
    });
  });

  it('treats timeouts per policy: no retry by default, retries when the policy grants them', () => {
    expect(decideOutcome(failure('timeout'), 1, DEFAULT_RETRY_POLICY)).toMatchObject({
      action: 'fail',
      code: 'STEP_TIMEOUT',
    });
    const lenient = RetryPolicy.parse({ timeoutRetries: 2, baseDelayMs: 10 });
    expect(decideOutcome(failure('timeout'), 1, lenient)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideOutcome(failure('timeout'), 2, lenient)).toEqual({ action: 'retry', delayMs: 20 });
    expect(decideOutcome(failure('timeout'), 3, lenient)).toMatchObject({ action: 'fail', code: 'STEP_TIMEOUT' });
  });

  it('never retries a step code the registry calls permanent, whatever its class', () => {
    expect(decideOutcome(failure('unknown', 'STEP_OUTPUT_MISSING'), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'STEP_OUTPUT_MISSING',
    });
    expect(decideOutcome(failure('network', 'STEP_INVALID_INVOCATION'), 1, policy)).toMatchObject({
      action: 'fail',
      code: 'STEP_INVALID_INVOCATION',
    });
    // ... but the retryable unknown code still gets its one retry.
    expect(decideOutcome(failure('unknown', 'STEP_FAILED'), 1, policy).action).toBe('retry');
  });

  it("uses the failure's own advice when it has one", () => {
    const f = { ...failure('bad_argument', 'STEP_SECRET_MISSING'), advice: 'configure HF_TOKEN' };
    expect(decideOutcome(f, 1, policy)).toEqual({
      action: 'fail',
      code: 'STEP_SECRET_MISSING',
      advice: 'configure HF_TOKEN',
    });
  });

  it('cancels on a cancel, whatever the attempt', () => {
    expect(decideOutcome(failure('canceled'), 1, policy)).toEqual({ action: 'cancel' });
    expect(decideOutcome(failure('canceled'), 99, policy)).toEqual({ action: 'cancel' });
  });

  it('reads a nonsense attempt number as the first attempt', () => {
    expect(decideOutcome(failure('network'), Number.NaN, policy)).toEqual({ action: 'retry', delayMs: 1000 });
    expect(decideOutcome(failure('network'), -3, policy)).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('property: never retries past maxAttempts, delays are within [0, maxDelayMs] and never shrink', () => {
    const classes: FailureClass[] = [
      'cuda_oom',
      'host_oom_killed',
      'timeout',
      'bad_argument',
      'network',
      'container_runtime',
      'unknown',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...classes),
        fc.integer({ min: 1, max: 50 }),
        fc.record({
          maxAttempts: fc.integer({ min: 1, max: 20 }),
          baseDelayMs: fc.integer({ min: 0, max: 100_000 }),
          backoffFactor: fc.double({ min: 1, max: 10, noNaN: true }),
          maxDelayMs: fc.integer({ min: 0, max: 1_000_000 }),
          unknownRetries: fc.integer({ min: 0, max: 5 }),
          timeoutRetries: fc.integer({ min: 0, max: 5 }),
        }),
        (cls, attempt, p) => {
          const o = decideOutcome(failure(cls), attempt, p);
          if (o.action === 'retry') {
            expect(attempt).toBeLessThan(p.maxAttempts);
            expect(o.delayMs).toBeGreaterThanOrEqual(0);
            expect(o.delayMs).toBeLessThanOrEqual(p.maxDelayMs);
            expect(backoffDelay(attempt + 1, p)).toBeGreaterThanOrEqual(o.delayMs);
          } else {
            expect(o.action).toBe('fail');
          }
          if (cls === 'cuda_oom' || cls === 'bad_argument' || cls === 'host_oom_killed') expect(o.action).toBe('fail');
        },
      ),
    );
  });

  it('the policy schema rejects nonsense', () => {
    expect(RetryPolicy.safeParse({ maxAttempts: 0 }).success).toBe(false);
    expect(RetryPolicy.safeParse({ backoffFactor: 0.5 }).success).toBe(false);
    expect(RetryPolicy.parse({})).toEqual(DEFAULT_RETRY_POLICY);
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxAttempts: 4,
      baseDelayMs: 5000,
      backoffFactor: 2,
      maxDelayMs: 300000,
      unknownRetries: 1,
      timeoutRetries: 0,
    });
  });
});
