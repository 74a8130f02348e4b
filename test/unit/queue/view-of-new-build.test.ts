/**
 * The locally built view of a new build must equal what the store reads back (checked against
 * Redis in test/integration/queue/build-store.test.ts); here: its shape for queued and published.
 */
import { describe, expect, it } from 'vitest';
import { viewOfNewBuild } from '../../../orchestrator/records/build-store.js';
import { fixturePlan } from '../../integration/queue/fixtures.js';

describe('viewOfNewBuild', () => {
  it('is queued with pending steps, or succeeded with skipped steps when published', () => {
    const plan = fixturePlan('view');
    const q = viewOfNewBuild('abc-1', plan, 0, null);
    expect(q).toMatchObject({
      id: 'abc-1',
      status: 'queued',
      gpuType: 'H100',
      attempts: 0,
      artifacts: null,
      error: null,
      createdAt: '1970-01-01T00:00:00.000Z',
    });
    expect(q.steps.map((s) => [s.id, s.status])).toEqual([
      ['fetch', 'pending'],
      ['convert', 'pending'],
      ['build', 'pending'],
      ['publish', 'pending'],
    ]);
    const art = { store: 'file:///x', prefix: 'builds/y/', manifest: 'builds/y/manifest.json' };
    const p = viewOfNewBuild('abc-2', plan, 0, art);
    expect(p.status).toBe('succeeded');
    expect(p.artifacts).toEqual(art);
    expect(p.steps.every((s) => s.status === 'skipped')).toBe(true);
  });
});
