/**
 * Outcomes the executor decides itself, not the step's process: a refused step (invalid
 * invocation, missing secret: non-retryable, nothing ran) and the fencing failures around a run
 * (an earlier attempt that could not be checked or stopped, busy GPUs, outputs that could not be
 * moved into place: retryable; outputs that are missing: not).
 */
import type { FailureClass, ProcessResult, StepOutcome } from './types.js';

/** A result that says nothing ran. */
const NOTHING_RAN: ProcessResult = {
  exitCode: null,
  signal: null,
  timedOut: false,
  canceled: false,
  tail: '',
  durationMs: 0,
};

/** Builds the failed outcome for a refused step; `message` never contains a secret value. */
export function refusal(code: 'STEP_INVALID_INVOCATION' | 'STEP_SECRET_MISSING', message: string): StepOutcome {
  const advice =
    code === 'STEP_SECRET_MISSING'
      ? 'configure the named secret on the worker (by name; the value is passed to the step through its environment only)'
      : 'the plan or the worker context is malformed; re-plan the build and report it if it persists';
  return {
    ok: false,
    failure: { class: 'bad_argument', code, message, advice, retryable: false, result: NOTHING_RAN },
  };
}

export type FencingCode = 'STEP_FENCE_FAILED' | 'STEP_GPU_BUSY' | 'STEP_OUTPUT_COMMIT_FAILED' | 'STEP_OUTPUT_MISSING';

const FENCING: Readonly<Record<FencingCode, { cls: FailureClass; retryable: boolean; advice: string }>> = {
  STEP_FENCE_FAILED: {
    cls: 'container_runtime',
    retryable: true,
    advice:
      'the worker could not check for (or stop) an earlier attempt of this step with docker; check the docker daemon on the worker host',
  },
  STEP_GPU_BUSY: {
    cls: 'container_runtime',
    retryable: true,
    advice:
      'a container of another build or attempt still holds these GPUs; it is stopped when its worker or the orphan reaper gets to it',
  },
  STEP_OUTPUT_COMMIT_FAILED: {
    cls: 'container_runtime',
    retryable: true,
    advice: "the step's outputs could not be moved into the workspace; check the worker's disk and permissions",
  },
  STEP_OUTPUT_MISSING: {
    cls: 'unknown',
    retryable: false,
    advice:
      'read the step log: the tool may have written elsewhere or skipped work; the build cannot continue without these files',
  },
};

/** A fencing failure around a step run (`result`: the step's process result, when it ran). */
export function fencingFailure(code: FencingCode, message: string, result: ProcessResult = NOTHING_RAN): StepOutcome {
  const f = FENCING[code];
  return { ok: false, failure: { class: f.cls, code, message, advice: f.advice, retryable: f.retryable, result } };
}
