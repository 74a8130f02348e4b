/**
 * Pure failure classifier: a finished process (exit code, signal, timeout/cancel flags, redacted
 * output tail) → a `StepFailure` with a class, a stable code and advice. Retry decisions are made
 * from the class (build/decide-outcome.ts), never by matching messages elsewhere.
 */
import { ADVICE } from '../build/decide-outcome.js';
import { FAILURE_CLASS_CODES, errorCodeInfo, type ErrorCode } from '../build/error-codes.js';
import type { FailureClass, ProcessResult, StepFailure } from './types.js';

/** Which executor ran the process: exit 125 means "docker itself failed" only for docker. */
export type ExecutorKind = 'docker' | 'local';

const CUDA_OOM = [
  /CUDA out of memory/i,
  /\bOutOfMemoryError\b/,
  /cudaErrorMemoryAllocation/,
  /CUBLAS_STATUS_ALLOC_FAILED/,
  /Error Code 2: OutOfMemory/i,
  /CUDA (?:runtime )?error[^\n]*out of memory/i,
  /\bcudaMalloc[^\n]*out of memory/i,
  /Cuda Runtime \(out of memory\)/i,
];
const HOST_OOM = [/^[ \t]*Killed[ \t]*$/m, /\bMemoryError\b/, /std::bad_alloc/, /Cannot allocate memory/i];
const ACCESS_DENIED = [
  /\b40[13] Client Error\b/,
  /\bGatedRepoError\b/,
  /\bRepositoryNotFoundError\b/,
  /\bRevisionNotFoundError\b/,
  /Access to model [^\n]* is restricted/i,
  /\b(?:AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken)\b/,
  /pull access denied/i,
  /unauthorized: authentication required/i,
];
const CONTAINER_RUNTIME = [
  /could not select device driver/i,
  /nvidia-container-cli: [^\n]*error/i,
  /Cannot connect to the Docker daemon/i,
  /OCI runtime (?:create|exec) failed/i,
  /failed to create task for container/i,
  /executable file not found in \$PATH/i,
  /docker: Error response from daemon/i,
];
const BAD_ARGUMENT = [
  /error: unrecognized arguments:/,
  /error: argument [^\n]*: invalid (?:choice|int value|float value)/,
  /error: the following arguments are required:/,
  /error: argument [^\n]*: expected (?:one|at least one) argument/,
  /error: argument [^\n]*: not allowed with argument/,
  /Error: No such option:/,
  /Error: Invalid value for/,
  /Error: Missing (?:argument|option)/,
];
const NETWORK = [
  /\bConnectionError\b/,
  /\bMaxRetryError\b|Max retries exceeded/,
  /Connection (?:refused|reset|aborted|timed out)/i,
  /Temporary failure in name resolution/i,
  /Name or service not known/i,
  /Network is unreachable/i,
  /\b(?:ReadTimeout|ConnectTimeout|ReadTimeoutError|ConnectTimeoutError)\b/,
  /Read timed out/i,
  /\b(?:ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE)\b/,
  /\b(?:429 Client|50[0234] Server) Error\b/,
  /HTTP Error 5\d\d/,
  /TLS handshake timeout|\bSSLError\b/,
  /\bIncompleteRead\b|\bRemoteDisconnected\b|\bChunkedEncodingError\b/,
  /dial tcp [^\n]*: i\/o timeout/,
];

/** Did the process succeed (exit 0, not killed, not timed out, not cancelled)? */
export function isSuccess(result: ProcessResult): boolean {
  return result.exitCode === 0 && result.signal === null && !result.timedOut && !result.canceled;
}

/** Classifies a failed process into a `StepFailure` (class, stable code, message, advice). */
export function classifyFailure(result: ProcessResult, executor: ExecutorKind = 'docker'): StepFailure {
  const { cls, code, evidence } = classify(result, executor);
  const info = errorCodeInfo(code);
  const how = describeExit(result);
  const message = evidence ? `${info.summary} (${how}): ${evidence}` : `${info.summary} (${how})`;
  const advice = code === 'STEP_ACCESS_DENIED' ? ACCESS_ADVICE : ADVICE[cls];
  return { class: cls, code, message, advice, retryable: info.retryable, result };
}

const ACCESS_ADVICE =
  'a download or image pull was refused: check that the secret named by the config holds a valid token with access to the repository (gated models need an accepted license)';

function classify(
  r: ProcessResult,
  executor: ExecutorKind,
): { cls: FailureClass; code: ErrorCode; evidence: string | null } {
  const as = (cls: FailureClass, evidence: string | null = null, code: ErrorCode = FAILURE_CLASS_CODES[cls]) => ({
    cls,
    code,
    evidence,
  });
  if (r.canceled) return as('canceled');
  if (r.timedOut) return as('timeout');
  const tail = r.tail;
  const hit = (patterns: readonly RegExp[]): string | null => firstMatchingLine(tail, patterns);
  const oom = hit(CUDA_OOM);
  if (oom !== null) return as('cuda_oom', oom);
  const hostOom = hit(HOST_OOM);
  if (r.exitCode === 137 || r.signal === 'SIGKILL' || hostOom !== null) return as('host_oom_killed', hostOom);
  const denied = hit(ACCESS_DENIED);
  if (denied !== null) return as('bad_argument', denied, 'STEP_ACCESS_DENIED');
  const runtime = hit(CONTAINER_RUNTIME);
  const runtimeExit = r.exitCode === 126 || r.exitCode === 127 || (executor === 'docker' && r.exitCode === 125);
  if (runtime !== null || runtimeExit) return as('container_runtime', runtime);
  const badArg = hit(BAD_ARGUMENT);
  if (badArg !== null) return as('bad_argument', badArg);
  const net = hit(NETWORK);
  if (net !== null) return as('network', net);
  if (r.exitCode === 2) return as('bad_argument', lastLine(tail));
  return as('unknown', lastLine(tail));
}

/** "exit code 1", "killed by SIGKILL", "timed out after 30 s", "cancelled". */
export function describeExit(r: ProcessResult): string {
  if (r.canceled) return 'cancelled';
  if (r.timedOut) return `timed out after ${Math.round(r.durationMs / 1000)} s`;
  if (r.signal !== null) return `killed by ${r.signal}`;
  return r.exitCode === null ? 'no exit code' : `exit code ${r.exitCode}`;
}

const EVIDENCE_CHARS = 300;

function firstMatchingLine(tail: string, patterns: readonly RegExp[]): string | null {
  for (const p of patterns) {
    const m = p.exec(tail);
    if (m) return clip(lineAround(tail, m.index));
  }
  return null;
}

function lineAround(text: string, index: number): string {
  // Stryker disable next-line ArithmeticOperator: no pattern starts on a newline or one character before one, so index ± 1 find the same newline
  const newlineBefore = text.lastIndexOf('\n', index - 1);
  const start = newlineBefore + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

function lastLine(tail: string): string | null {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const last = lines.at(-1);
  return last === undefined ? null : clip(last);
}

function clip(s: string): string {
  return s.length <= EVIDENCE_CHARS ? s : `${s.slice(0, EVIDENCE_CHARS)}…`;
}
