/**
 * The queue boundary of the failure path: storage errors map to registry codes (HF_REPO_GATED is
 * a 403 user fault with advice, not INTERNAL_ERROR), everything else to a registered fallback.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodeInfo, isErrorCode } from '../../../orchestrator/build/error-codes.js';
import { decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import { failureOf, registryCodeOf } from '../../../orchestrator/queue/failure-data.js';
import { ArtifactStoreError } from '../../../orchestrator/storage/artifacts/errors.js';
import type { ArtifactStoreErrorCode } from '../../../orchestrator/storage/artifacts/errors.js';
import { PublishError } from '../../../orchestrator/storage/publish/errors.js';
import type { PublishErrorCode } from '../../../orchestrator/storage/publish/errors.js';
import { SOURCE_ERROR_CODES, SourceError } from '../../../orchestrator/storage/sources/errors.js';
import type { SourceErrorCode } from '../../../orchestrator/storage/sources/errors.js';

const ARTIFACT_CODES: readonly ArtifactStoreErrorCode[] = [
  'INVALID_KEY',
  'INVALID_STORE_URL',
  'KEY_CONFLICT',
  'UNSAFE_PATH',
  'SOURCE_NOT_FOUND',
  'ACCESS_DENIED',
  'NO_SUCH_BUCKET',
  'STORE_IO',
];
const PUBLISH_CODES: readonly PublishErrorCode[] = [
  'INVALID_PLAN_HASH',
  'INVALID_INPUT',
  'SECRET_IN_LAUNCH_FILE',
  'SOURCE_DIR_INVALID',
  'UNSAFE_SOURCE_ENTRY',
  'INVALID_SOURCE_NAME',
  'EMPTY_ARTIFACT',
  'SOURCE_CHANGED',
  'MANIFEST_INVALID',
];

describe('one registry for storage errors', () => {
  it('registers every source code under its own name with the same retry flag', () => {
    for (const [code, info] of Object.entries(SOURCE_ERROR_CODES)) {
      expect(isErrorCode(code), code).toBe(true);
      expect(errorCodeInfo(code).retryable, code).toBe(info.retryable);
      expect(registryCodeOf(new SourceError(code as SourceErrorCode, 'x'))).toBe(code);
    }
  });

  it('maps every artifact-store and publish code to a registered, prefixed code with the same retry flag', () => {
    for (const c of ARTIFACT_CODES) {
      const err = new ArtifactStoreError(c, 'x');
      expect(registryCodeOf(err)).toBe(`ARTIFACT_${c}`);
      expect(failureOf(err, 'PUBLISH_FAILED').retryable, c).toBe(err.retryable);
    }
    for (const c of PUBLISH_CODES) expect(registryCodeOf(new PublishError(c, 'x'))).toBe(`PUBLISH_${c}`);
  });

  it('HF_REPO_GATED is a 4xx user fault with advice, failed at once', () => {
    const f = failureOf(new SourceError('HF_REPO_GATED', 'acme/llama is gated'), 'FETCH_FAILED');
    expect(f).toEqual({
      code: 'HF_REPO_GATED',
      message: 'acme/llama is gated',
      advice: expect.stringContaining('licence') as string,
      retryable: false,
    });
    expect(ERROR_CODES.HF_REPO_GATED).toMatchObject({ httpStatus: 403, fault: 'user' });
    expect(decideOutcome(f, 1)).toEqual({ action: 'fail', code: 'HF_REPO_GATED', advice: f.advice });
  });

  it('a retryable storage failure is retried by decideOutcome until the attempts run out', () => {
    const f = failureOf(new SourceError('NETWORK_ERROR', 'reset'), 'FETCH_FAILED');
    expect(decideOutcome(f, 1).action).toBe('retry');
    expect(decideOutcome(f, 4)).toMatchObject({ action: 'fail', code: 'NETWORK_ERROR' });
    // A source that says "not this time" wins over the registry's flag.
    expect(
      decideOutcome(failureOf(new SourceError('NETWORK_ERROR', 'x', { retryable: false }), 'FETCH_FAILED'), 1).action,
    ).toBe('fail');
  });

  it('keeps a registered code on other errors, else uses the fallback; messages are capped', () => {
    expect(failureOf(Object.assign(new Error('w'), { code: 'WORKER_LOST' }), 'INTERNAL_ERROR').code).toBe(
      'WORKER_LOST',
    );
    expect(failureOf(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'FETCH_FAILED')).toEqual({
      code: 'FETCH_FAILED',
      message: 'socket hang up',
      advice: null,
      retryable: true,
    });
    expect(failureOf('a string', 'PUBLISH_FAILED')).toMatchObject({ code: 'PUBLISH_FAILED', message: 'a string' });
    expect(failureOf({ message: 'x'.repeat(5000) }, 'FETCH_FAILED').message).toHaveLength(2000);
    expect(failureOf(new Error('boom'), 'INTERNAL_ERROR')).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
  });
});
