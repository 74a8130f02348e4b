/**
 * Every worker of one prefix must share WORK_DIR (a build's stages may run on different workers):
 * a worker whose WORK_DIR is not the live workers' refuses to start with the reason, before it
 * takes any job; one with the same WORK_DIR starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import { workDirId } from '../../../orchestrator/records/shared-work-dir.js';
import { fakeWorkerDeps, queueHarness } from './fixtures.js';

const h = queueHarness('workdir');
let root: string;
const started: ServiceWorker[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trt-workdir-'));
});

afterAll(async () => {
  await Promise.all(started.map((w) => w.close(500)));
  await rm(root, { recursive: true, force: true });
});

describe('shared WORK_DIR', () => {
  it('gives one directory one id, created once', async () => {
    const dir = join(root, 'ids');
    const ids = await Promise.all(Array.from({ length: 8 }, () => workDirId(dir)));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await workDirId(join(root, 'other'))).not.toBe(ids[0]);
  });

  it('refuses a worker whose WORK_DIR is not the live workers’ and starts one that shares it', async () => {
    const shared = join(root, 'shared');
    started.push(
      await startWorker(fakeWorkerDeps(h.redis, h.prefix, { workDir: shared, workerName: 'w-first', host: 'host-a' })),
    );
    await expect(
      startWorker(fakeWorkerDeps(h.redis, h.prefix, { workDir: join(root, 'private'), workerName: 'w-stray' })),
    ).rejects.toThrow(
      `WORK_DIR ${join(root, 'private')} is not the directory the live workers use (w-first on host-a): a build's fetch, GPU and publish stages may run on different workers`,
    );
    // The refused worker never registered.
    expect((await h.bq.metrics.workers.list()).map((w) => w.name)).toEqual(['w-first']);
    started.push(await startWorker(fakeWorkerDeps(h.redis, h.prefix, { workDir: shared, workerName: 'w-second' })));
    expect((await h.bq.metrics.workers.list()).map((w) => w.name).sort()).toEqual(['w-first', 'w-second']);
  });
});
