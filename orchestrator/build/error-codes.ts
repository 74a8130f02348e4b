/**
 * The one error-code registry: every stable code the service stores on a build or returns from the
 * API, with its HTTP status, whether a retry can help, and whose fault it is. User faults are 4xx,
 * system faults 5xx (a parity test holds the table to that). Failures are stored as plain data
 * (`{code, message}`), never as `Error` objects.
 */
import type { FailureClass } from './failure.js';

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
  STEP_HOST_OOM: {
    httpStatus: 507,
    retryable: false,
    fault: 'system',
    summary: 'a build step ran out of host memory and was killed',
  },
  STEP_TIMEOUT: { httpStatus: 504, retryable: false, fault: 'system', summary: 'a build step ran past its time limit' },
  STEP_CANCELED: { httpStatus: 409, retryable: false, fault: 'user', summary: 'the build was cancelled' },
  STEP_BAD_ARGUMENT: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'a build tool rejected its arguments',
  },
  STEP_ACCESS_DENIED: {
    httpStatus: 403,
    retryable: false,
    fault: 'user',
    summary: 'a download was refused (credentials, gated or missing repository)',
  },
  STEP_NETWORK: { httpStatus: 502, retryable: true, fault: 'system', summary: 'a build step hit a network error' },
  STEP_CONTAINER_RUNTIME: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'the container runtime could not start the step',
  },
  STEP_FAILED: {
    httpStatus: 500,
    retryable: true,
    fault: 'system',
    summary: 'a build step failed for an unrecognised reason',
  },
  STEP_INVALID_INVOCATION: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the executor refused a step it cannot run safely',
  },
  STEP_SECRET_MISSING: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'a secret the step needs is not configured',
  },
  STEP_OUTPUT_MISSING: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'a step exited 0 but did not write its outputs',
  },
  // Fencing (exec/docker-fence.ts, exec/attempt-outputs.ts): one attempt's containers, GPUs and outputs.
  STEP_FENCE_FAILED: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'the executor could not check for or stop an earlier attempt of the step',
  },
  STEP_GPU_BUSY: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'a live container of another attempt still uses the assigned GPUs',
  },
  STEP_OUTPUT_COMMIT_FAILED: {
    httpStatus: 500,
    retryable: true,
    fault: 'system',
    summary: "the step's outputs could not be moved into place",
  },
  FENCE_DOCKER_FAILED: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'docker failed to list or inspect step containers',
  },
  FENCE_TIMEOUT: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'a docker command of the container fence ran past its time limit',
  },
  FENCE_STOP_FAILED: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'docker could not stop a step container',
  },
  // Build lifecycle.
  GPU_COUNT_UNAVAILABLE: {
    httpStatus: 503,
    retryable: false,
    fault: 'system',
    summary: 'no worker of the target GPU type has as many devices as the plan needs',
  },
  WORKER_LOST: { httpStatus: 500, retryable: true, fault: 'system', summary: 'the worker running the build stopped' },
  FETCH_FAILED: { httpStatus: 502, retryable: true, fault: 'system', summary: 'downloading the checkpoint failed' },
  WORKER_DISK_FULL: {
    httpStatus: 507,
    retryable: false,
    fault: 'system',
    summary: 'the worker has too little free disk for the checkpoint, converted checkpoint and engine',
  },
  PUBLISH_FAILED: { httpStatus: 502, retryable: true, fault: 'system', summary: 'uploading the artifact failed' },
  INVALID_TRANSITION: {
    httpStatus: 409,
    retryable: false,
    fault: 'user',
    summary: 'the build is not in a state that allows this',
  },
  // API requests.
  BAD_REQUEST: { httpStatus: 400, retryable: false, fault: 'user', summary: 'the request is malformed' },
  UNAUTHORIZED: { httpStatus: 401, retryable: false, fault: 'user', summary: 'a valid bearer token is required' },
  ROUTE_NOT_FOUND: { httpStatus: 404, retryable: false, fault: 'user', summary: 'no such route' },
  BUILD_NOT_FOUND: { httpStatus: 404, retryable: false, fault: 'user', summary: 'no build has this id' },
  BUILD_ALREADY_FINISHED: { httpStatus: 409, retryable: false, fault: 'user', summary: 'the build already finished' },
  PAYLOAD_TOO_LARGE: {
    httpStatus: 413,
    retryable: false,
    fault: 'user',
    summary: 'the request body is over the size limit',
  },
  URI_TOO_LONG: {
    httpStatus: 414,
    retryable: false,
    fault: 'user',
    summary: 'the request URL (or one of its path parameters) is too long',
  },
  HEADERS_TOO_LARGE: {
    httpStatus: 431,
    retryable: false,
    fault: 'user',
    summary: 'the request headers are over the size limit',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    httpStatus: 415,
    retryable: false,
    fault: 'user',
    summary: 'send application/yaml or application/json',
  },
  CONFIG_INVALID: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the config has errors (see diagnostics)',
  },
  SERVICE_UNAVAILABLE: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'a backing service (Redis, artifact store) is unreachable',
  },
  INTERNAL_ERROR: { httpStatus: 500, retryable: false, fault: 'system', summary: 'an unexpected internal error' },
  RECORD_CORRUPT: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'a stored build record does not match its schema',
  },
  GPU_WAIT_EXPIRED: {
    httpStatus: 503,
    retryable: false,
    fault: 'system',
    summary: 'the build waited for GPUs longer than the configured limit',
  },
  // Checkpoint fetch (storage/sources SourceError codes, same names and retry flags).
  SOURCE_UNSUPPORTED: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the checkpoint source kind is not supported by this worker',
  },
  SOURCE_REPO_INVALID: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the checkpoint repository or URL is not valid',
  },
  SOURCE_SECRET_MISSING: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the secret the checkpoint source needs is not configured',
  },
  SOURCE_SECRET_INVALID: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the secret the checkpoint source needs is malformed',
  },
  SOURCE_SECRET_NOT_ALLOWED: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the secret may not be sent to this source (secrets go only to their own origin)',
  },
  ADDRESS_REFUSED: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the source address is refused by the outbound-address policy',
  },
  SOURCE_UNAUTHORIZED: {
    httpStatus: 403,
    retryable: false,
    fault: 'user',
    summary: 'the checkpoint source refused the credentials',
  },
  SOURCE_NOT_FOUND: {
    httpStatus: 404,
    retryable: false,
    fault: 'user',
    summary: 'the checkpoint was not found at its source',
  },
  SOURCE_EMPTY: { httpStatus: 422, retryable: false, fault: 'user', summary: 'the checkpoint source holds no files' },
  HF_REPO_GATED: {
    httpStatus: 403,
    retryable: false,
    fault: 'user',
    summary: 'the Hugging Face repository is gated and the token has no access',
  },
  HF_REPO_UNAUTHORIZED: { httpStatus: 401, retryable: false, fault: 'user', summary: 'Hugging Face refused the token' },
  HF_REPO_NOT_FOUND: {
    httpStatus: 404,
    retryable: false,
    fault: 'user',
    summary: 'the Hugging Face repository does not exist (or is private)',
  },
  HF_REVISION_NOT_FOUND: {
    httpStatus: 404,
    retryable: false,
    fault: 'user',
    summary: 'the Hugging Face revision does not exist',
  },
  HF_FILE_NOT_FOUND: {
    httpStatus: 404,
    retryable: false,
    fault: 'user',
    summary: 'a file the checkpoint needs is missing from the repository',
  },
  HTTP_ERROR: {
    httpStatus: 502,
    retryable: false,
    fault: 'system',
    summary: 'the checkpoint server answered with an error',
  },
  HTTP_SERVER_ERROR: {
    httpStatus: 502,
    retryable: true,
    fault: 'system',
    summary: 'the checkpoint server failed (5xx)',
  },
  NETWORK_ERROR: {
    httpStatus: 502,
    retryable: true,
    fault: 'system',
    summary: 'a network error interrupted the download',
  },
  INVALID_RESPONSE: {
    httpStatus: 502,
    retryable: true,
    fault: 'system',
    summary: 'the checkpoint server sent a malformed response',
  },
  DOWNLOAD_INTERRUPTED: { httpStatus: 502, retryable: true, fault: 'system', summary: 'a download was cut short' },
  SIZE_MISMATCH: { httpStatus: 502, retryable: true, fault: 'system', summary: 'a downloaded file has the wrong size' },
  CHECKSUM_MISMATCH: {
    httpStatus: 502,
    retryable: true,
    fault: 'system',
    summary: 'a downloaded file has the wrong checksum',
  },
  ETAG_CHANGED: {
    httpStatus: 502,
    retryable: true,
    fault: 'system',
    summary: 'a file changed at its source during the download',
  },
  LFS_POINTER_INSTEAD_OF_WEIGHTS: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'the source serves Git LFS pointers instead of the weights',
  },
  UNSAFE_PATH: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'a file path from the source leaves its directory',
  },
  ARCHIVE_PATH_ESCAPE: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'an archive member path leaves the extraction directory',
  },
  ARCHIVE_LINK_ESCAPE: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'an archive link points outside the extraction directory',
  },
  ARCHIVE_UNSUPPORTED_ENTRY: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'an archive holds an entry type that is refused',
  },
  ARCHIVE_TOO_LARGE: { httpStatus: 413, retryable: false, fault: 'user', summary: 'an archive is over the size limit' },
  ARCHIVE_CORRUPT: { httpStatus: 422, retryable: false, fault: 'user', summary: 'an archive is corrupt' },
  DEST_OUTSIDE_WORKSPACE: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'a fetch destination is outside the workspace',
  },
  FETCH_ABORTED: { httpStatus: 409, retryable: false, fault: 'user', summary: 'the fetch was aborted' },
  CACHE_LOCK_TIMEOUT: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'the checkpoint cache stayed locked too long',
  },
  DISK_FULL: { httpStatus: 507, retryable: false, fault: 'system', summary: 'the builder host ran out of disk space' },
  DEST_NOT_WRITABLE: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the workspace or cache is not writable',
  },
  FETCH_INTERNAL_ERROR: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the fetch failed on an internal error',
  },
  CACHE_TOO_SMALL: {
    httpStatus: 507,
    retryable: false,
    fault: 'system',
    summary: 'the checkpoint is larger than the cache budget',
  },
  // Artifact store (storage/artifacts ArtifactStoreError codes, prefixed).
  ARTIFACT_INVALID_KEY: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'an artifact key breaks the key rules',
  },
  ARTIFACT_INVALID_STORE_URL: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the artifact store URL is not valid',
  },
  ARTIFACT_KEY_CONFLICT: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'an artifact key collides with a directory or file',
  },
  ARTIFACT_UNSAFE_PATH: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'an artifact path leads out of the store root',
  },
  ARTIFACT_SOURCE_NOT_FOUND: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'a file to upload does not exist',
  },
  ARTIFACT_ACCESS_DENIED: {
    httpStatus: 502,
    retryable: false,
    fault: 'system',
    summary: 'the artifact store refused access',
  },
  ARTIFACT_NO_SUCH_BUCKET: {
    httpStatus: 502,
    retryable: false,
    fault: 'system',
    summary: 'the artifact bucket does not exist',
  },
  ARTIFACT_STORE_IO: { httpStatus: 502, retryable: true, fault: 'system', summary: 'the artifact store failed' },
  // Publishing (storage/publish PublishError codes, prefixed).
  PUBLISH_INVALID_PLAN_HASH: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the plan hash is malformed',
  },
  PUBLISH_INVALID_INPUT: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the manifest input breaks its schema',
  },
  PUBLISH_SECRET_IN_LAUNCH_FILE: {
    httpStatus: 422,
    retryable: false,
    fault: 'user',
    summary: 'a launch file holds a secret value (never published)',
  },
  PUBLISH_SOURCE_DIR_INVALID: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the artifact directory is missing',
  },
  PUBLISH_UNSAFE_SOURCE_ENTRY: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the artifact directory holds a link or special file',
  },
  PUBLISH_INVALID_SOURCE_NAME: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'an artifact file name cannot be an object key',
  },
  PUBLISH_EMPTY_ARTIFACT: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the artifact directory holds no files',
  },
  PUBLISH_SOURCE_CHANGED: {
    httpStatus: 503,
    retryable: true,
    fault: 'system',
    summary: 'an artifact file changed during the upload',
  },
  PUBLISH_MANIFEST_INVALID: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the stored manifest is not valid',
  },
  PUBLISH_BUNDLE_INCOMPLETE: {
    httpStatus: 500,
    retryable: false,
    fault: 'system',
    summary: 'the build outputs lack files a launch config needs (bundle contract); nothing was published',
  },
  // Dashboard and Bull Board (api/routes-ui.ts, api/bull-board.ts).
  ADMIN_READ_ONLY: { httpStatus: 405, retryable: false, fault: 'user', summary: 'the queue admin view is read-only' },
  MANIFEST_NOT_PUBLISHED: {
    httpStatus: 404,
    retryable: false,
    fault: 'user',
    summary: 'the build has no published manifest (yet)',
  },
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

/** Advice for people on codes whose fix is known (user faults, mostly); others fall back to the summary. */
export const ERROR_ADVICE: Readonly<Partial<Record<ErrorCode, string>>> = {
  HF_REPO_GATED:
    'accept the model licence on Hugging Face with the account whose token the worker uses (the secret named in the config), then resubmit',
  HF_REPO_UNAUTHORIZED:
    'set a valid Hugging Face token in the secret the config names (hf_access_token), then resubmit',
  HF_REPO_NOT_FOUND: 'check the repository id in the config (and that the token can see it if it is private)',
  HF_REVISION_NOT_FOUND: 'check the revision (branch, tag or commit) in the config',
  HF_FILE_NOT_FOUND: 'the repository lacks a file the model needs: check the repository and revision',
  SOURCE_UNAUTHORIZED: 'check the credentials of the checkpoint source',
  SOURCE_NOT_FOUND: 'check the checkpoint location in the config',
  SOURCE_SECRET_MISSING: 'configure the secret the config names on the workers (SECRET_NAMES)',
  LFS_POINTER_INSTEAD_OF_WEIGHTS: 'the source serves Git LFS pointer files: point the config at the real weights',
  DISK_FULL: 'free space on the builder host or lower the cache budget',
  CACHE_TOO_SMALL: 'raise CACHE_MAX_BYTES on the workers',
  GPU_COUNT_UNAVAILABLE: 'add a worker with enough GPUs of this type, or lower the GPU count',
  GPU_WAIT_EXPIRED: 'add workers of this GPU type, or raise GPU_WAIT_LIMIT_MS',
  WORKER_LOST:
    'the worker stopped (crash, SIGKILL or a lost Redis connection) more often than allowed; check the worker hosts',
  PUBLISH_SECRET_IN_LAUNCH_FILE: 'remove the secret value from the config; secrets are passed by name',
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
