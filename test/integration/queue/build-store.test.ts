/**
 * Build records on real Redis: capped numbered logs with paging, terminal statuses never change,
 * status indexes follow transitions, and a new generation after a failure.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildStore, allowedFrom, viewOfNewBuild } from '../../../orchestrator/queue/build-store.js';
import { RecordCorruptError } from '../../../orchestrator/queue/build-view.js';
import { REDIS_URL, cleanupPrefix, fixturePlan, uniquePrefix, waitFor } from './fixtures.js';

const prefix = uniquePrefix('store');
let redis: Redis;
let store: BuildStore;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  store = new BuildStore(redis, prefix, { logCap: 5 });
});

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('BuildStore', () => {
  it('keeps only the last `cap` log lines, numbered across appends, and pages them', async () => {
    const { id } = await store.claim(fixturePlan('logs'), 1000, null);
    const line = (n: number) => ({
      ts: n,
      step: 'convert',
      stream: 'stdout' as const,
      line: `line ${n} "quoted" ünïcode`,
    });
    expect(await store.logBatch(id, [1, 2, 3, 4, 5, 6, 7].map(line))).toBe(7);
    expect(await store.logBatch(id, [8, 9].map(line))).toBe(9);
    expect(await redis.xlen(store.keys.log(id))).toBe(5);
    const all = await store.readLogs(id, 0, 100);
    expect(all.truncated).toBe(true);
    expect(all.entries.map((e) => e.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(all.entries[0]).toEqual({
      seq: 5,
      ts: 5,
      step: 'convert',
      stream: 'stdout',
      line: 'line 5 "quoted" ünïcode',
    });
    const page = await store.readLogs(id, 6, 2);
    expect(page).toEqual({
      entries: [expect.objectContaining({ seq: 7 }), expect.objectContaining({ seq: 8 })],
      next: 8,
      truncated: false,
    });
    expect(await store.readLogs(id, 9, 10)).toEqual({ entries: [], next: 9, truncated: false });
    expect(await store.readLogs('0000000000000000-1', 0, 10)).toEqual({ entries: [], next: 0, truncated: false });
  });

  it('load marks the step of a kind running in the same command, only while it is to run', async () => {
    const { id } = await store.claim(fixturePlan('load-mark'), 1000, null);
    const ref = { id, planHash: fixturePlan('load-mark').planHash };
    const first = await store.load(id, { kind: 'fetch', atMs: 2000 });
    expect(first?.marked).toBe('fetch');
    expect(first?.steps.get('fetch')).toEqual({
      id: 'fetch',
      kind: 'fetch',
      status: 'running',
      attempts: 1,
      startedAt: new Date(2000).toISOString(),
      finishedAt: null,
      progress: null,
    });
    expect((await store.get(id))?.steps[0]).toEqual(first?.steps.get('fetch'));
    // A second attempt counts; a plain load marks nothing.
    expect((await store.load(id, { kind: 'fetch', atMs: 3000 }))?.steps.get('fetch')?.attempts).toBe(2);
    expect((await store.load(id))?.marked).toBeNull();
    // Succeeded steps, cancel-requested and terminal builds are left as they are.
    await store.commitStep(ref, {
      views: [
        {
          id: 'fetch',
          kind: 'fetch',
          status: 'succeeded',
          attempts: 2,
          startedAt: null,
          finishedAt: null,
          progress: 1,
        },
      ],
    });
    expect((await store.load(id, { kind: 'fetch', atMs: 4000 }))?.marked).toBeNull();
    const otherPlan = fixturePlan('load-mark-cancel');
    const other = await store.claim(otherPlan, 1000, null);
    await store.requestCancel(other.id);
    expect((await store.load(other.id, { kind: 'fetch', atMs: 4000 }))?.marked).toBeNull();
    await store.setStatus({ id: other.id, planHash: otherPlan.planHash }, 'cancelled', 5000);
    expect((await store.load(other.id, { kind: 'fetch', atMs: 6000 }))?.steps.get('fetch')?.status).toBe('pending');
  });

  it('never changes a terminal status and moves builds between status indexes', async () => {
    const plan = fixturePlan('status');
    const { id } = await store.claim(plan, 2000, null);
    const ref = { id, planHash: plan.planHash };
    expect(await store.get(id)).toEqual(viewOfNewBuild(id, plan, 2000, null));
    expect((await store.list('queued', 0, 10)).items.map((b) => b.id)).toContain(id);
    expect(await store.setStatus(ref, 'running', 2001)).toBe(true);
    expect(
      await store.setStatus(ref, 'failed', 2002, {
        error: { code: 'STEP_CUDA_OOM', message: 'oom', advice: 'raise num_builder_gpus' },
      }),
    ).toBe(true);
    expect(await store.setStatus(ref, 'running', 2003)).toBe(false);
    expect(await store.setStatus(ref, 'succeeded', 2003)).toBe(false);
    const b = await store.get(id);
    expect(b).toMatchObject({
      status: 'failed',
      error: { code: 'STEP_CUDA_OOM' },
      createdAt: new Date(2000).toISOString(),
      updatedAt: new Date(2002).toISOString(),
    });
    expect((await store.list('queued', 0, 10)).items.map((x) => x.id)).not.toContain(id);
    expect((await store.list('failed', 0, 10)).items.map((x) => x.id)).toEqual([id]);
    expect(await store.setStatus({ id: '0000000000000000-9', planHash: plan.planHash }, 'running', 1)).toBe(false);
    // The state machine decides inside the script: queued → running → failed, never back.

    // After a failure the same plan gets a new generation; while that one lives, claims return it.
    const again = await store.claim(plan, 3000, null);
    expect(again).toEqual({ created: true, id: id.replace(/-1$/, '-2') });
    expect(await store.claim(plan, 3001, null)).toEqual({ created: false, id: again.id });
    const ref2 = { id: again.id, planHash: plan.planHash };
    expect(await store.setStatus(ref2, 'running', 3002)).toBe(true);
    expect(
      await store.commitStep(ref2, { views: [], lines: [{ ts: 1, step: 'x', stream: 'system', line: 'only a line' }] }),
    ).toEqual({ cancelRequested: false });
    expect((await store.readLogs(again.id, 0, 10)).entries.map((e) => e.line)).toEqual(['only a line']);
    const counts = await store.countByStatus();
    expect(counts.failed).toBe(1);
    expect(counts.running).toBeGreaterThanOrEqual(1);
  });

  it('expires a finished build (record, steps, log, plan key) after the retention and drops it from the indexes', async () => {
    const short = new BuildStore(redis, prefix, { retentionMs: 300 });
    const plan = fixturePlan('retention');
    const { id } = await short.claim(plan, Date.now(), null);
    const ref = { id, planHash: plan.planHash };
    await short.logBatch(id, [{ ts: 1, step: 'convert', stream: 'stdout', line: 'kept a while' }]);
    expect(await redis.pttl(short.keys.build(id))).toBe(-1); // a live build never expires
    expect(
      await short.setStatus(ref, 'failed', Date.now(), { error: { code: 'STEP_FAILED', message: 'x', advice: null } }),
    ).toBe(true);
    for (const key of [
      short.keys.build(id),
      short.keys.steps(id),
      short.keys.log(id),
      short.keys.byPlan(plan.planHash),
    ]) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(300);
    }
    // The log stream ends with an `end` entry the live readers stop at.
    const last = (await redis.xrevrange(short.keys.log(id), '+', '-', 'COUNT', 1))[0];
    expect(last?.[1]).toEqual(['end', 'failed']);
    await waitFor(
      () => redis.exists(short.keys.build(id)),
      (n) => n === 0,
      5000,
      'record expired',
    );
    expect(await short.get(id)).toBeNull();
    // The next finished build prunes the expired one from the indexes.
    const other = fixturePlan('retention-2');
    const o = await short.claim(other, Date.now(), null);
    await short.setStatus({ id: o.id, planHash: other.planHash }, 'cancelled', Date.now());
    expect(await redis.zscore(short.keys.statusIndex('failed'), id)).toBeNull();
    expect(await redis.zscore(short.keys.index, id)).toBeNull();
    // A resubmission after expiry starts a new generation (the API answers it from the artifact store when published).
    const again = await short.claim(plan, Date.now(), {
      store: 'memory://',
      prefix: 'p/',
      manifest: 'p/manifest.json',
    });
    expect(again).toEqual({ created: true, id: id.replace(/-1$/, '-2') });
    expect((await short.get(again.id))?.status).toBe('succeeded');
  });

  it('refuses a stored record that does not match its schema instead of casting it', async () => {
    const plan = fixturePlan('corrupt');
    const { id } = await store.claim(plan, 1000, null);
    await redis.hset(
      store.keys.steps(id),
      'convert',
      JSON.stringify({ id: 'convert', kind: 'convert', status: 'exploded' }),
    );
    await expect(store.get(id)).rejects.toBeInstanceOf(RecordCorruptError);
    await redis.hset(store.keys.build(id), 'status', 'half-done');
    await expect(store.status(id)).rejects.toMatchObject({ code: 'RECORD_CORRUPT' });
  });

  it('asks the state machine which statuses a transition may come from', () => {
    expect(allowedFrom('running')).toEqual(['queued', 'running']);
    expect(allowedFrom('queued')).toEqual(['queued', 'running']);
    expect(allowedFrom('succeeded')).toEqual(['queued', 'running']);
    expect(allowedFrom('cancelled')).toEqual(['queued', 'running']);
  });
});
