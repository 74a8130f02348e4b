/**
 * The build state machine, in one place: build and step statuses, the transitions allowed between
 * them, and which statuses are final. Pure; the worker and the API both ask this file before they
 * write a status, so an impossible history (`succeeded → running`) cannot be recorded.
 */
import { z } from 'zod';

/** Status of a whole build, as `GET /v1/builds/:id` reports it. */
export const BuildStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type BuildStatus = z.infer<typeof BuildStatus>;

/**
 * Status of one plan step. `skipped`: already completed by an earlier attempt (resume) or made
 * unnecessary (published artifact found); `pending` also covers a step handed back for a retry.
 */
export const StepStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

/**
 * Allowed build transitions. `running → queued` is a retry after a transient failure or a worker
 * crash (the job goes back to the queue); `queued → failed` covers failures before any GPU work
 * (e.g. the fetch job failing for good).
 */
export const BUILD_TRANSITIONS: Readonly<Record<BuildStatus, readonly BuildStatus[]>> = {
  queued: ['running', 'cancelled', 'failed', 'succeeded'],
  running: ['succeeded', 'failed', 'cancelled', 'queued'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/**
 * Allowed step transitions. `running → pending` hands an attempt back (worker shutdown, crash,
 * retry); `failed → pending` schedules a retry of a failed step while its build is not final.
 */
export const STEP_TRANSITIONS: Readonly<Record<StepStatus, readonly StepStatus[]>> = {
  pending: ['running', 'cancelled', 'skipped'],
  running: ['succeeded', 'failed', 'cancelled', 'pending'],
  failed: ['pending', 'cancelled'],
  succeeded: [],
  cancelled: [],
  skipped: [],
};

const TERMINAL_BUILD: ReadonlySet<BuildStatus> = new Set(['succeeded', 'failed', 'cancelled']);
const TERMINAL_STEP: ReadonlySet<StepStatus> = new Set(['succeeded', 'cancelled', 'skipped']);

/** True for build statuses that never change again (`succeeded`, `failed`, `cancelled`). */
export function isTerminal(status: BuildStatus): boolean {
  return TERMINAL_BUILD.has(status);
}

/** True for step statuses that never change again; `failed` is not one (a retry may follow). */
export function isStepTerminal(status: StepStatus): boolean {
  return TERMINAL_STEP.has(status);
}

/** Outcome of asking for a transition: the new status, or a stable error code with a message. */
export type TransitionResult<S extends string> =
  | { readonly ok: true; readonly status: S }
  | { readonly ok: false; readonly code: 'INVALID_TRANSITION'; readonly message: string };

/** Can a build move from `from` to `to`? (A no-op `x → x` is not a transition.) */
export function canTransitionBuild(from: BuildStatus, to: BuildStatus): boolean {
  return BUILD_TRANSITIONS[from].includes(to);
}

/** Can a step move from `from` to `to`? */
export function canTransitionStep(from: StepStatus, to: StepStatus): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}

/** Checks a build transition and returns the new status or an `INVALID_TRANSITION` error. */
export function transitionBuild(from: BuildStatus, to: BuildStatus): TransitionResult<BuildStatus> {
  if (canTransitionBuild(from, to)) return { ok: true, status: to };
  return {
    ok: false,
    code: 'INVALID_TRANSITION',
    message: describeRefusal('build', from, to, BUILD_TRANSITIONS[from]),
  };
}

/** Checks a step transition and returns the new status or an `INVALID_TRANSITION` error. */
export function transitionStep(from: StepStatus, to: StepStatus): TransitionResult<StepStatus> {
  if (canTransitionStep(from, to)) return { ok: true, status: to };
  return { ok: false, code: 'INVALID_TRANSITION', message: describeRefusal('step', from, to, STEP_TRANSITIONS[from]) };
}

function describeRefusal(what: string, from: string, to: string, allowed: readonly string[]): string {
  const next = allowed.length === 0 ? `${from} is final` : `allowed from ${from}: ${allowed.join(', ')}`;
  return `a ${what} cannot go from ${from} to ${to} (${next})`;
}
