import { describe, expect, it } from 'vitest';
import {
  BUILD_TRANSITIONS,
  BuildStatus,
  STEP_TRANSITIONS,
  StepStatus,
  canTransitionBuild,
  canTransitionStep,
  isStepTerminal,
  isTerminal,
  transitionBuild,
  transitionStep,
} from '../../../orchestrator/build/state-machine.js';

const BUILD = BuildStatus.options;
const STEP = StepStatus.options;

describe('build state machine', () => {
  it('has exactly the five API statuses', () => {
    expect([...BUILD].sort()).toEqual(['cancelled', 'failed', 'queued', 'running', 'succeeded']);
    expect(BuildStatus.safeParse('done').success).toBe(false);
  });

  it('final statuses are succeeded, failed and cancelled, and have no way out', () => {
    expect(BUILD.filter(isTerminal).sort()).toEqual(['cancelled', 'failed', 'succeeded']);
    for (const from of BUILD.filter(isTerminal)) {
      for (const to of BUILD) expect(canTransitionBuild(from, to), `${from}->${to}`).toBe(false);
    }
  });

  it('every non-final status can reach a final one and can be cancelled', () => {
    for (const from of BUILD.filter((s) => !isTerminal(s))) {
      expect(BUILD_TRANSITIONS[from]).toContain('cancelled');
      expect(BUILD_TRANSITIONS[from].some(isTerminal)).toBe(true);
    }
  });

  it('allows the retry hand-back running → queued and the normal path', () => {
    expect(transitionBuild('queued', 'running')).toEqual({ ok: true, status: 'running' });
    expect(transitionBuild('running', 'queued')).toEqual({ ok: true, status: 'queued' });
    expect(transitionBuild('running', 'succeeded')).toEqual({ ok: true, status: 'succeeded' });
  });

  it('refuses impossible histories with a stable code and a message naming the allowed moves', () => {
    const r = transitionBuild('succeeded', 'running');
    expect(r).toEqual({
      ok: false,
      code: 'INVALID_TRANSITION',
      message: 'a build cannot go from succeeded to running (succeeded is final)',
    });
    const q = transitionBuild('queued', 'queued');
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.message).toContain('allowed from queued: running, cancelled, failed, succeeded');
  });

  it('no status transitions to itself', () => {
    for (const s of BUILD) expect(canTransitionBuild(s, s)).toBe(false);
    for (const s of STEP) expect(canTransitionStep(s, s)).toBe(false);
  });
});

describe('step state machine', () => {
  it('final step statuses: succeeded, cancelled, skipped (failed may be retried)', () => {
    expect(STEP.filter(isStepTerminal).sort()).toEqual(['cancelled', 'skipped', 'succeeded']);
    expect(isStepTerminal('failed')).toBe(false);
    for (const from of STEP.filter(isStepTerminal)) expect(STEP_TRANSITIONS[from]).toEqual([]);
  });

  it('a running step can be handed back, a failed step retried, a pending one skipped on resume', () => {
    expect(transitionStep('running', 'pending').ok).toBe(true);
    expect(transitionStep('failed', 'pending').ok).toBe(true);
    expect(transitionStep('pending', 'skipped').ok).toBe(true);
    expect(transitionStep('succeeded', 'running')).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
    expect(transitionStep('pending', 'succeeded').ok).toBe(false);
  });
});
