/**
 * The one error-code registry: every stable code the service stores on a build or returns from the
 * API, with its HTTP status, whether a retry can help, and whose fault it is. User faults are 4xx,
 * system faults 5xx (a parity test holds the table to that). Failures are stored as plain data
 * (`{code, message}`), never as `Error` objects.
 */
import type { FailureClass } from '../exec/types.js';

export type Fault = 'user' | 'system';

export interface ErrorCodeInfo {
  /** HTTP status used when the error is the answer to a request (API) or the build's outcome. */
  readonly httpStatus: number;
  /** Whether running the same thing again can succeed (transient). */
  readonly retryable: boolean;
  /** `user`: the request or config must change; `system`: the service or its host is at fault. */
  readonly fault: Fault;
  /** One line for people. */
  readonly summary: string;
}

/** The registry. Add a code here first; everything else looks codes up in this table. */
export const ERROR_CODES = {
  // Step failures (from exec/classify-failure.ts), one per FailureClass plus executor refusals.
  STEP_CUDA_OOM: { httpStatus: 422, retryable: false, fault: 'user', summary: 'a build step ran out of GPU memory' },
  STEP_HOST_OOM: { httpStatus: 507, retryable: false, fault: 'system', summary: 'a build step ran out of host memory and was killed' },
  STEP_TIMEOUT: { httpStatus: 504, retryable: false, fault: 'system', summary: 'a build step ran past its time limit' },
  STEP_CANCELED: { httpStatus: 409, retryable: false, fault: 'user', summary: 'the build was cancelled' },
  STEP_BAD_ARGUMENT: { httpStatus: 422, retryable: false, fault: 'user', summary: 'a build tool rejected its arguments' },
  STEP_ACCESS_DENIED: { httpStatus: 403, retryable: false, fault: 'user', summary: 'a download was refused (credentials, gated or missing repository)' },
  STEP_NETWORK: { httpStatus: 502, retryable: true, fault: 'system', summary: 'a build step hit a network error' },
  STEP_CONTAINER_RUNTIME: { httpStatus: 503, retryable: true, fault: 'system', summary: 'the container runtime could not start the step' },
  STEP_FAILED: { httpStatus: 500, retryable: true, fault: 'system', summary: 'a build step failed for an unrecognised reason' },
  STEP_INVALID_INVOCATION: { httpStatus: 500, retryable: false, fault: 'system', summary: 'the executor refused a step it cannot run safely' },
  STEP_SECRET_MISSING: { httpStatus: 422, retryable: false, fault: 'user', summary: 'a secret the step needs is not configured' },
  STEP_OUTPUT_MISSING: { httpStatus: 500, retryable: false, fault: 'system', summary: 'a step exited 0 but did not write its outputs' },
  // Build lifecycle.
  GPU_COUNT_UNAVAILABLE: { httpStatus: 503, retryable: false, fault: 'system', summary: 'no worker of the target GPU type has as many devices as the plan needs' },
  WORKER_LOST: { httpStatus: 500, retryable: true, fault: 'system', summary: 'the worker running the build stopped' },
  FETCH_FAILED: { httpStatus: 502, retryable: true, fault: 'system', summary: 'downloading the checkpoint failed' },
  PUBLISH_FAILED: { httpStatus: 502, retryable: true, fault: 'system', summary: 'uploading the artifact failed' },
  INVALID_TRANSITION: { httpStatus: 409, retryable: false, fault: 'user', summary: 'the build is not in a state that allows this' },
  // API requests.
  BAD_REQUEST: { httpStatus: 400, retryable: false, fault: 'user', summary: 'the request is malformed' },
  UNAUTHORIZED: { httpStatus: 401, retryable: false, fault: 'user', summary: 'a valid bearer token is required' },
  ROUTE_NOT_FOUND: { httpStatus: 404, retryable: false, fault: 'user', summary: 'no such route' },
  BUILD_NOT_FOUND: { httpStatus: 404, retryable: false, fault: 'user', summary: 'no build has this id' },
  BUILD_ALREADY_FINISHED: { httpStatus: 409, retryable: false, fault: 'user', summary: 'the build already finished' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retryable: false, fault: 'user', summary: 'the request body is over the size limit' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, retryable: false, fault: 'user', summary: 'send application/yaml or application/json' },
  CONFIG_INVALID: { httpStatus: 422, retryable: false, fault: 'user', summary: 'the config has errors (see diagnostics)' },
  SERVICE_UNAVAILABLE: { httpStatus: 503, retryable: true, fault: 'system', summary: 'a backing service (Redis, artifact store) is unreachable' },
  INTERNAL_ERROR: { httpStatus: 500, retryable: false, fault: 'system', summary: 'an unexpected internal error' },
  // Dashboard and Bull Board (api/routes-ui.ts, api/bull-board.ts).
  ADMIN_READ_ONLY: { httpStatus: 405, retryable: false, fault: 'user', summary: 'the queue admin view is read-only' },
  MANIFEST_NOT_PUBLISHED: { httpStatus: 404, retryable: false, fault: 'user', summary: 'the build has no published manifest (yet)' },
} as const satisfies Readonly<Record<string, ErrorCodeInfo>>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The step error code for each failure class (what the classifier emits). */
export const FAILURE_CLASS_CODES: Readonly<Record<FailureClass, ErrorCode>> = {
  cuda_oom: 'STEP_CUDA_OOM',
  host_oom_killed: 'STEP_HOST_OOM',
  timeout: 'STEP_TIMEOUT',
  canceled: 'STEP_CANCELED',
  bad_argument: 'STEP_BAD_ARGUMENT',
  network: 'STEP_NETWORK',
  container_runtime: 'STEP_CONTAINER_RUNTIME',
  unknown: 'STEP_FAILED',
};

/** Is `code` a registered error code? */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/** Registry entry for `code`; unregistered codes read as `INTERNAL_ERROR` (never throws). */
export function errorCodeInfo(code: string): ErrorCodeInfo {
  return isErrorCode(code) ? ERROR_CODES[code] : ERROR_CODES.INTERNAL_ERROR;
}

/** The plain-data error stored on a build and returned by the API. */
export interface BuildError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly advice: string | null;
}
