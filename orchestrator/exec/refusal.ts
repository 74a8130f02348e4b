/**
 * The outcome of a step an executor refused to start (invalid invocation, missing secret): a
 * non-retryable failure with a process result that says nothing ran.
 */
import type { StepOutcome } from './types.js';

/** Builds the failed outcome for a refused step; `message` never contains a secret value. */
export function refusal(code: 'STEP_INVALID_INVOCATION' | 'STEP_SECRET_MISSING', message: string): StepOutcome {
  const advice =
    code === 'STEP_SECRET_MISSING'
      ? 'configure the named secret on the worker (by name; the value is passed to the step through its environment only)'
      : 'the plan or the worker context is malformed; re-plan the build and report it if it persists';
  return {
    ok: false,
    failure: {
      class: 'bad_argument',
      code,
      message,
      advice,
      retryable: false,
      result: { exitCode: null, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 0 },
    },
  };
}
