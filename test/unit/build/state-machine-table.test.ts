/**
 * Every (from, to) pair of build and step statuses against a table written out here, independently
 * of the module's own tables: adding, dropping or misspelling one allowed transition fails a row.
 */
import { describe, expect, it } from 'vitest';
import {
  BuildStatus,
  StepStatus,
  BUILD_TRANSITIONS,
  STEP_TRANSITIONS,
  canTransitionBuild,
  canTransitionStep,
  transitionBuild,
  transitionStep,
} from '../../../orchestrator/build/state-machine.js';

const BUILD_ALLOWED = new Set([
  'queued>running',
  'queued>cancelled',
  'queued>failed',
  'queued>succeeded',
  'running>succeeded',
  'running>failed',
  'running>cancelled',
  'running>queued',
]);
const STEP_ALLOWED = new Set([
  'pending>running',
  'pending>cancelled',
  'pending>skipped',
  'running>succeeded',
  'running>failed',
  'running>cancelled',
  'running>pending',
  'failed>pending',
  'failed>cancelled',
]);

describe('build transitions, every pair', () => {
  for (const from of BuildStatus.options) {
    for (const to of BuildStatus.options) {
      const allowed = BUILD_ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransitionBuild(from, to)).toBe(allowed);
        const r = transitionBuild(from, to);
        if (allowed) expect(r).toEqual({ ok: true, status: to });
        else {
          expect(r).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
          expect(r.ok ? '' : r.message).toMatch(new RegExp(`^a build cannot go from ${from} to ${to} `));
        }
      });
    }
  }
  it('lists only known statuses, none twice', () => {
    for (const list of Object.values(BUILD_TRANSITIONS)) {
      expect(new Set(list).size).toBe(list.length);
      for (const s of list) expect(BuildStatus.options).toContain(s);
    }
  });
});

describe('step transitions, every pair', () => {
  for (const from of StepStatus.options) {
    for (const to of StepStatus.options) {
      const allowed = STEP_ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransitionStep(from, to)).toBe(allowed);
        const r = transitionStep(from, to);
        if (allowed) expect(r).toEqual({ ok: true, status: to });
        else {
          expect(r).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
          expect(r.ok ? '' : r.message).toMatch(new RegExp(`^a step cannot go from ${from} to ${to} `));
        }
      });
    }
  }
  it('lists only known statuses, none twice', () => {
    for (const list of Object.values(STEP_TRANSITIONS)) {
      expect(new Set(list).size).toBe(list.length);
      for (const s of list) expect(StepStatus.options).toContain(s);
    }
  });
});
