import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import {
  ERROR_ADVICE,
  ERROR_CODES,
  FAILURE_CLASS_CODES,
  errorCodeInfo,
  isErrorCode,
} from '../../../orchestrator/build/error-codes.js';
import type { ErrorCode } from '../../../orchestrator/build/error-codes.js';
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

/**
 * The whole registry as behaviour: HTTP status, whose fault, and whether a retry can help, for every
 * code. Changing any of these (or adding a code) is an API change: update this table on purpose.
 */
const REGISTRY: Readonly<Record<string, readonly ErrorCode[]>> = {
  '400 user permanent': ['BAD_REQUEST'],
  '401 user permanent': ['UNAUTHORIZED', 'HF_REPO_UNAUTHORIZED'],
  '403 user permanent': ['STEP_ACCESS_DENIED', 'SOURCE_UNAUTHORIZED', 'HF_REPO_GATED'],
  '404 user permanent': [
    'ROUTE_NOT_FOUND',
    'BUILD_NOT_FOUND',
    'SOURCE_NOT_FOUND',
    'HF_REPO_NOT_FOUND',
    'HF_REVISION_NOT_FOUND',
    'HF_FILE_NOT_FOUND',
    'MANIFEST_NOT_PUBLISHED',
  ],
  '405 user permanent': ['ADMIN_READ_ONLY'],
  '409 user permanent': ['STEP_CANCELED', 'INVALID_TRANSITION', 'BUILD_ALREADY_FINISHED', 'FETCH_ABORTED'],
  '413 user permanent': ['PAYLOAD_TOO_LARGE', 'ARCHIVE_TOO_LARGE'],
  '414 user permanent': ['URI_TOO_LONG'],
  '415 user permanent': ['UNSUPPORTED_MEDIA_TYPE'],
  '422 user permanent': [
    'STEP_CUDA_OOM',
    'STEP_BAD_ARGUMENT',
    'STEP_SECRET_MISSING',
    'CONFIG_INVALID',
    'SOURCE_UNSUPPORTED',
    'SOURCE_REPO_INVALID',
    'SOURCE_SECRET_MISSING',
    'SOURCE_SECRET_INVALID',
    'SOURCE_SECRET_NOT_ALLOWED',
    'ADDRESS_REFUSED',
    'SOURCE_EMPTY',
    'LFS_POINTER_INSTEAD_OF_WEIGHTS',
    'UNSAFE_PATH',
    'ARCHIVE_PATH_ESCAPE',
    'ARCHIVE_LINK_ESCAPE',
    'ARCHIVE_UNSUPPORTED_ENTRY',
    'ARCHIVE_CORRUPT',
    'DEST_OUTSIDE_WORKSPACE',
    'PUBLISH_SECRET_IN_LAUNCH_FILE',
  ],
  '431 user permanent': ['HEADERS_TOO_LARGE'],
  '500 system permanent': [
    'STEP_INVALID_INVOCATION',
    'STEP_OUTPUT_MISSING',
    'INTERNAL_ERROR',
    'RECORD_CORRUPT',
    'DEST_NOT_WRITABLE',
    'FETCH_INTERNAL_ERROR',
    'ARTIFACT_INVALID_KEY',
    'ARTIFACT_INVALID_STORE_URL',
    'ARTIFACT_KEY_CONFLICT',
    'ARTIFACT_UNSAFE_PATH',
    'ARTIFACT_SOURCE_NOT_FOUND',
    'PUBLISH_INVALID_PLAN_HASH',
    'PUBLISH_INVALID_INPUT',
    'PUBLISH_SOURCE_DIR_INVALID',
    'PUBLISH_UNSAFE_SOURCE_ENTRY',
    'PUBLISH_INVALID_SOURCE_NAME',
    'PUBLISH_EMPTY_ARTIFACT',
    'PUBLISH_MANIFEST_INVALID',
    'PUBLISH_BUNDLE_INCOMPLETE',
  ],
  '500 system retryable': ['STEP_FAILED', 'STEP_OUTPUT_COMMIT_FAILED', 'WORKER_LOST'],
  '502 system permanent': ['HTTP_ERROR', 'ARTIFACT_ACCESS_DENIED', 'ARTIFACT_NO_SUCH_BUCKET'],
  '502 system retryable': [
    'STEP_NETWORK',
    'FETCH_FAILED',
    'PUBLISH_FAILED',
    'HTTP_SERVER_ERROR',
    'NETWORK_ERROR',
    'INVALID_RESPONSE',
    'DOWNLOAD_INTERRUPTED',
    'SIZE_MISMATCH',
    'CHECKSUM_MISMATCH',
    'ETAG_CHANGED',
    'ARTIFACT_STORE_IO',
  ],
  '503 system permanent': ['GPU_COUNT_UNAVAILABLE', 'GPU_WAIT_EXPIRED'],
  '503 system retryable': [
    'STEP_CONTAINER_RUNTIME',
    'STEP_FENCE_FAILED',
    'STEP_GPU_BUSY',
    'FENCE_DOCKER_FAILED',
    'FENCE_TIMEOUT',
    'FENCE_STOP_FAILED',
    'SERVICE_UNAVAILABLE',
    'CACHE_LOCK_TIMEOUT',
    'PUBLISH_SOURCE_CHANGED',
  ],
  '504 system permanent': ['STEP_TIMEOUT'],
  '507 system permanent': ['STEP_HOST_OOM', 'WORKER_DISK_FULL', 'DISK_FULL', 'CACHE_TOO_SMALL'],
};

/** Codes whose fix is known well enough to carry their own advice; every other code's advice is its summary. */
const ADVISED: readonly ErrorCode[] = [
  'HF_REPO_GATED',
  'HF_REPO_UNAUTHORIZED',
  'HF_REPO_NOT_FOUND',
  'HF_REVISION_NOT_FOUND',
  'HF_FILE_NOT_FOUND',
  'SOURCE_UNAUTHORIZED',
  'SOURCE_NOT_FOUND',
  'SOURCE_SECRET_MISSING',
  'LFS_POINTER_INSTEAD_OF_WEIGHTS',
  'DISK_FULL',
  'CACHE_TOO_SMALL',
  'GPU_COUNT_UNAVAILABLE',
  'GPU_WAIT_EXPIRED',
  'WORKER_LOST',
  'PUBLISH_SECRET_IN_LAUNCH_FILE',
];

describe('error-code registry: every code, exactly', () => {
  const rows = Object.entries(REGISTRY).flatMap(([key, codes]) => codes.map((code) => [code, key] as const));

  it('lists every registered code once, and nothing else', () => {
    const listed = rows.map(([code]) => code);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(rows)('%s is %s', (code, key) => {
    const [status, fault, retry] = key.split(' ');
    expect(ERROR_CODES[code]).toMatchObject({
      httpStatus: Number(status),
      fault,
      retryable: retry === 'retryable',
    });
    expect(errorCodeInfo(code)).toBe(ERROR_CODES[code]);
    expect(isErrorCode(code)).toBe(true);
  });

  it('only system faults are retryable, and only as 500, 502 or 503', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      if (!info.retryable) continue;
      expect(info.fault, code).toBe('system');
      expect([500, 502, 503], code).toContain(info.httpStatus);
    }
  });

  it('summaries are distinct, so each code reads differently', () => {
    const summaries = Object.values(ERROR_CODES).map((i) => i.summary);
    expect(new Set(summaries).size).toBe(summaries.length);
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'step_failed', ''])(
    '%j is not a code and reads as INTERNAL_ERROR',
    (name) => {
      expect(isErrorCode(name)).toBe(false);
      expect(errorCodeInfo(name)).toBe(ERROR_CODES.INTERNAL_ERROR);
    },
  );
});

describe('error advice', () => {
  it('exactly the advised codes carry their own advice', () => {
    expect(Object.keys(ERROR_ADVICE).sort()).toEqual([...ADVISED].sort());
  });

  it.each(ADVISED)('%s: its advice is one non-empty line that says more than the summary', (code) => {
    const advice = ERROR_ADVICE[code] ?? '';
    expect(advice.trim().length).toBeGreaterThan(10);
    expect(advice).not.toContain('\n');
    expect(advice).not.toBe(ERROR_CODES[code].summary);
  });

  it('every code ends up with non-empty advice when it fails (its own, else its summary)', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const outcome = decideOutcome({ code, message: 'm', advice: null, retryable: false }, 1, DEFAULT_RETRY_POLICY);
      expect(outcome, code).toEqual({ action: 'fail', code, advice: ERROR_ADVICE[code] ?? ERROR_CODES[code].summary });
      expect(outcome.action === 'fail' ? outcome.advice.length : 0, code).toBeGreaterThan(5);
    }
  });
});
