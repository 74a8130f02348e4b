/**
 * Build records on real Redis: capped numbered logs with paging, terminal statuses never change,
 * status indexes follow transitions, and a new generation after a failure.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildStore, allowedFrom, viewOfNewBuild } from '../../../orchestrator/records/build-store.js';
import { RecordCorruptError } from '../../../orchestrator/records/build-view.js';
import { REDIS_URL, cleanupPrefix, fixturePlan, uniquePrefix, waitFor } from '../queue/fixtures.js';

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
    await store.logBatch(id, [1, 2, 3, 4, 5, 6, 7].map(line));
    await store.logBatch(id, [8, 9].map(line));
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
    const first = await store.load(id, { kind: 'fetch', atMs: 2000 });
    expect(first?.marked).toBe('started');
    expect(first?.steps.get('fetch')).toEqual({
      id: 'fetch',
      kind: 'fetch',
      status: 'running',
      attempts: 1,
      startedAt: new Date(2000).toISOString(),
      finishedAt: null,
      progress: null,
    });
    expect(first).toMatchObject({ status: 'queued', cancelRequested: false, createdAtMs: 1000, updatedAtMs: 1000 });
    expect((await store.get(id))?.steps[0]).toEqual(first?.steps.get('fetch'));
    // A second attempt counts, and says the step was running (an attempt was lost); a plain load marks nothing.
    const second = await store.load(id, { kind: 'fetch', atMs: 3000 });
    expect([second?.marked, second?.steps.get('fetch')?.attempts]).toEqual(['resumed', 2]);
    expect((await store.load(id))?.marked).toBeNull();
    // Succeeded steps, cancel-requested and terminal builds are left as they are.
    await store.write(id, { patch: { step: 'fetch', set: { status: 'succeeded', progress: 1 } } }, 3500);
    expect((await store.load(id, { kind: 'fetch', atMs: 4000 }))?.marked).toBeNull();
    const otherPlan = fixturePlan('load-mark-cancel');
    const other = await store.claim(otherPlan, 1000, null);
    await store.requestCancel(other.id);
    expect(await store.load(other.id, { kind: 'fetch', atMs: 4000 })).toMatchObject({
      marked: null,
      cancelRequested: true,
    });
    await store.setStatus(other.id, 'cancelled', 5000);
    expect((await store.load(other.id, { kind: 'fetch', atMs: 6000 }))?.steps.get('fetch')?.status).toBe('pending');
    expect(await store.load('0000000000000000-9')).toBeNull();
  });

  it('writes a step boundary in one command: steps, progress, lines, metrics, fetch results, status', async () => {
    const plan = fixturePlan('write-all');
    const store = new BuildStore(redis, `${prefix}:w`); // its own indexes
    const { id } = await store.claim(plan, 1000, null);
    await redis.set(store.keys.fetchSecret(id), '[{"repo":"https://u:p@x/y","dest":"d"}]');
    const view = (await store.get(id))?.steps ?? [];
    const [fetch, convert] = view;
    if (!fetch || !convert) throw new Error('fixture plan has no fetch/convert steps');
    const before = await redis.hgetall(store.keys.stepMetrics);
    const r = await store.write(
      id,
      {
        steps: [
          { ...fetch, status: 'succeeded', attempts: 1, progress: 1 },
          { ...convert, status: 'running', attempts: 1 },
        ],
        progress: [['convert', 0.25]],
        lines: [{ ts: 7, step: 'fetch', stream: 'system', line: 'fetched 1 item(s), 1 from cache' }],
        observe: { kind: 'fetch', seconds: 42 },
        fetched: [{ item: { repo: 'https://u:secret@host/m', dest: 'm' }, fromCache: true }] as never,
        status: 'running',
        extra: { attempts: 1 },
      },
      2000,
    );
    expect(r).toEqual({ changed: true, cancelRequested: false });
    const b = await store.get(id);
    expect(b).toMatchObject({ status: 'running', attempts: 1, updatedAt: new Date(2000).toISOString() });
    expect(b?.steps.slice(0, 2)).toEqual([
      { ...fetch, status: 'succeeded', attempts: 1, progress: 1 },
      { ...convert, status: 'running', attempts: 1, progress: 0.25 },
    ]);
    expect((await store.readLogs(id, 0, 10)).entries).toEqual([
      { seq: 1, ts: 7, step: 'fetch', stream: 'system', line: 'fetched 1 item(s), 1 from cache' },
    ]);
    const after = await redis.hgetall(store.keys.stepMetrics);
    const grew = (f: string) => Number(after[f] ?? 0) - Number(before[f] ?? 0);
    expect([grew('fetch|count'), grew('fetch|sum'), grew('fetch|le|60'), grew('fetch|le|10')]).toEqual([1, 42, 1, 0]);
    // The fetch ended: its signed items are gone, and what it resolved is stored redacted.
    expect(await redis.exists(store.keys.fetchSecret(id))).toBe(0);
    expect(await redis.hget(store.keys.build(id), 'fetched')).not.toContain('secret');
    // One step patched, the rest closed, the final status in the same command.
    const end = await store.write(
      id,
      {
        patch: { step: 'convert', set: { status: 'failed', finishedAt: new Date(3000).toISOString() } },
        close: { pending: 'skipped', running: 'failed' },
        status: 'failed',
        extra: { error: { code: 'STEP_FAILED', message: 'x', advice: null } },
      },
      3000,
    );
    expect(end).toEqual({ changed: true, cancelRequested: false });
    expect((await store.get(id))?.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped', 'skipped']);
    expect(await store.write('0000000000000000-9', { lines: [] }, 1)).toBeNull();
  });

  it('never changes a terminal status and moves builds between status indexes', async () => {
    const plan = fixturePlan('status');
    const { id } = await store.claim(plan, 2000, null);
    const ref = id;
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
    expect(await store.setStatus('0000000000000000-9', 'running', 1)).toBe(false);
    // The state machine decides inside the script: queued → running → failed, never back.

    // After a failure the same plan gets a new generation; while that one lives, claims return it.
    const again = await store.claim(plan, 3000, null);
    expect(again).toEqual({ created: true, id: id.replace(/-1$/, '-2') });
    expect(await store.claim(plan, 3001, null)).toEqual({ created: false, id: again.id });
    expect(await store.setStatus(again.id, 'running', 3002)).toBe(true);
    expect(
      await store.write(again.id, { lines: [{ ts: 1, step: 'x', stream: 'system', line: 'only a line' }] }, 3003),
    ).toEqual({ changed: false, cancelRequested: false });
    expect((await store.readLogs(again.id, 0, 10)).entries.map((e) => e.line)).toEqual(['only a line']);
    const counts = await store.countByStatus();
    expect(counts.failed).toBe(1);
    expect(counts.running).toBeGreaterThanOrEqual(1);
  });

  it('expires a finished build (record and log) after the retention and drops it from the indexes', async () => {
    const short = new BuildStore(redis, prefix, { retentionMs: 300 });
    const plan = fixturePlan('retention');
    const { id } = await short.claim(plan, Date.now(), null);
    const ref = id;
    await short.logBatch(id, [{ ts: 1, step: 'convert', stream: 'stdout', line: 'kept a while' }]);
    expect(await redis.pttl(short.keys.build(id))).toBe(-1); // a live build never expires
    expect(
      await short.setStatus(ref, 'failed', Date.now(), { error: { code: 'STEP_FAILED', message: 'x', advice: null } }),
    ).toBe(true);
    for (const key of [short.keys.build(id), short.keys.log(id)]) {
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
    await short.setStatus(o.id, 'cancelled', Date.now());
    expect(await redis.zscore(short.keys.statusIndex('failed'), id)).toBeNull();
    expect(await redis.zscore(short.keys.index, id)).toBeNull();
    // The plan's generation outlives the record, so a resubmission after expiry gets a new id (the API
    // answers it from the artifact store when published).
    expect(await redis.pttl(short.keys.byPlan(plan.planHash))).toBe(-1);
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
      store.keys.build(id),
      'steps',
      JSON.stringify([{ id: 'convert', kind: 'convert', status: 'exploded' }]),
    );
    await expect(store.get(id)).rejects.toBeInstanceOf(RecordCorruptError);
    // A record of the earlier layout (steps in a hash of their own) is corrupt to this version.
    await redis.hdel(store.keys.build(id), 'steps');
    await expect(store.get(id)).rejects.toBeInstanceOf(RecordCorruptError);
    await expect(store.load(id, { kind: 'fetch', atMs: 2000 })).rejects.toBeInstanceOf(RecordCorruptError);
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
