import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import {
  ERROR_CODES,
  FAILURE_CLASS_CODES,
  errorCodeInfo,
  isErrorCode,
} from '../../../orchestrator/build/error-codes.js';
import { classifyFailure } from '../../../orchestrator/exec/classify-failure.js';
import type { FailureClass, ProcessResult } from '../../../orchestrator/exec/types.js';

const CLASSES: readonly FailureClass[] = [
  'cuda_oom',
  'host_oom_killed',
  'timeout',
  'canceled',
  'bad_argument',
  'network',
  'container_runtime',
  'unknown',
];

function result(over: Partial<ProcessResult>): ProcessResult {
  return { exitCode: 1, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 10, ...over };
}

describe('error-code registry parity', () => {
  const entries = Object.entries(ERROR_CODES);

  it('codes are UPPER_SNAKE and summaries are one line', () => {
    for (const [code, info] of entries) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
      expect(info.summary).not.toContain('\n');
      expect(info.summary.length).toBeGreaterThan(5);
    }
  });

  it('user faults are 4xx and system faults are 5xx', () => {
    for (const [code, info] of entries) {
      if (info.fault === 'user') expect(info.httpStatus, code).toBeGreaterThanOrEqual(400);
      if (info.fault === 'user') expect(info.httpStatus, code).toBeLessThan(500);
      if (info.fault === 'system') expect(info.httpStatus, code).toBeGreaterThanOrEqual(500);
      if (info.fault === 'system') expect(info.httpStatus, code).toBeLessThan(600);
    }
  });

  it('every failure class maps to a registered step code, and distinct classes to distinct codes', () => {
    for (const cls of CLASSES) expect(isErrorCode(FAILURE_CLASS_CODES[cls]), cls).toBe(true);
    expect(new Set(Object.values(FAILURE_CLASS_CODES)).size).toBe(CLASSES.length);
  });

  it("the classifier's retryable flag is the registry's, for every class it emits", () => {
    const samples: ProcessResult[] = [
      result({ tail: 'torch.OutOfMemoryError: CUDA out of memory.' }),
      result({ exitCode: 137 }),
      result({ timedOut: true, signal: 'SIGTERM', exitCode: null }),
      result({ canceled: true, signal: 'SIGTERM', exitCode: null }),
      result({ exitCode: 2, tail: 'error: unrecognized arguments: --x' }),
      result({ tail: 'requests.exceptions.ConnectionError: boom' }),
      result({ exitCode: 125 }),
      result({ exitCode: 1, tail: 'whatever' }),
      result({ tail: '401 Client Error: Unauthorized for url' }),
    ];
    const seen = new Set<string>();
    for (const r of samples) {
      const f = classifyFailure(r);
      seen.add(f.class);
      expect(isErrorCode(f.code), f.code).toBe(true);
      expect(f.retryable, f.code).toBe(errorCodeInfo(f.code).retryable);
    }
    expect([...seen].sort()).toEqual([...CLASSES].sort());
  });

  it('the default retry policy retries exactly the codes the registry calls retryable (first attempt)', () => {
    for (const cls of CLASSES) {
      const code = FAILURE_CLASS_CODES[cls];
      const info = ERROR_CODES[code];
      const outcome = decideOutcome(
        { class: cls, code, message: 'm', advice: null, retryable: info.retryable },
        1,
        DEFAULT_RETRY_POLICY,
      );
      if (cls === 'canceled') expect(outcome.action).toBe('cancel');
      else expect(outcome.action === 'retry', code).toBe(info.retryable);
    }
  });

  it('an unregistered code reads as INTERNAL_ERROR instead of throwing', () => {
    expect(errorCodeInfo('NOPE')).toBe(ERROR_CODES.INTERNAL_ERROR);
    expect(isErrorCode('toString')).toBe(false);
  });
});
