import { describe, expect, it } from 'vitest';
import { storedFailure } from '../../../orchestrator/build/failure.js';
import type { Failure } from '../../../orchestrator/build/failure.js';

describe('storedFailure', () => {
  it('keeps code, message and advice, and drops the decision inputs (retryable, class)', () => {
    const f: Failure = {
      code: 'STEP_NETWORK',
      message: 'boom',
      advice: 'retry later',
      retryable: true,
      class: 'network',
    };
    const stored = storedFailure(f);
    expect(stored).toStrictEqual({ code: 'STEP_NETWORK', message: 'boom', advice: 'retry later' });
    expect(Object.keys(stored).sort()).toEqual(['advice', 'code', 'message']);
  });

  it('keeps a null advice as null', () => {
    expect(storedFailure({ code: 'FETCH_FAILED', message: 'm', advice: null, retryable: false })).toStrictEqual({
      code: 'FETCH_FAILED',
      message: 'm',
      advice: null,
    });
  });

  it('is plain data that survives JSON', () => {
    const stored = storedFailure({ code: 'X', message: 'line\n2', advice: null, retryable: false, class: 'unknown' });
    expect(JSON.parse(JSON.stringify(stored))).toStrictEqual(stored);
  });
});
