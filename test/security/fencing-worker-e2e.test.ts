/**
 * Issue 9, items 1–2 end to end with the real worker (startWorker, BullMQ, Redis): a worker
 * SIGKILLed mid-step leaves its container running; the worker that takes the build over reaps it
 * and its step never runs beside it; the build succeeds once, with the takeover's outputs only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerExecutor } from '../../orchestrator/exec/docker-executor.js';
import { createDockerFence } from '../../orchestrator/exec/docker-fence.js';
import { createGpuAllocator } from '../../orchestrator/exec/gpu-allocator.js';
import { BuildQueue } from '../../orchestrator/queue/build-queue.js';
import { startWorker, type ServiceWorker } from '../../orchestrator/queue/start-worker.js';
import { workspaceDirFor } from '../../orchestrator/queue/build-processor.js';
import { containerLives, isAlive, runningContainers } from '../fixtures/bin/lib/fake-docker/state.js';
import { fencingPlan, writeCheckpoint } from '../integration/exec/fenced-worker-plan.js';
import { FAKE_BIN, overlaps, waitUntil } from '../integration/exec/helpers.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  uniquePrefix,
  waitForStatus,
} from '../integration/queue/fixtures.js';

const CHILD = fileURLToPath(new URL('../integration/exec/fenced-worker-child.ts', import.meta.url));
const prefix = uniquePrefix('fence-e2e');
const root = mkdtempSync(join(tmpdir(), 'trt-fence-e2e-'));
const state = join(root, 'docker');
const workDir = join(root, 'work');
const env = { ...process.env, PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`, FAKE_DOCKER_STATE: state } as Record<
  string,
  string
>;
let redis: Redis;
let bq: BuildQueue;
let child: ChildProcess | null = null;
let rescuer: ServiceWorker | null = null;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => Date.now());
});

afterAll(async () => {
  if (child?.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rescuer?.close(2000);
  for (const c of runningContainers(state)) process.kill(-(c.Pid ?? 0), 'SIGKILL');
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

function spawnDoomedWorker(): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...env, REDIS_URL, PREFIX: prefix, WORK_DIR: workDir, HOST_LABEL: 'host-e2e', WORKER_NAME: 'doomed' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  child = p;
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    p.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve(p);
    });
  });
}

describe('fencing end to end: a SIGKILLed worker and the worker that takes over', { timeout: 240_000 }, () => {
  it('the orphan is reaped, the step never runs twice at once, the outputs are the takeover’s only', async () => {
    const doomed = await spawnDoomedWorker();
    const plan = fencingPlan('sigkill-orphan');
    const { build } = await bq.submit(plan, null);
    const ws = workspaceDirFor(workDir, build.id);
    // The doomed worker's container has written its first engine rank (into its attempt dir) and hangs.
    await waitUntil(
      () => {
        try {
          return readdirSync(join(ws, '.attempts', 'build')).some((run) =>
            readdirSync(join(ws, '.attempts', 'build', run, '0')).includes('rank0.engine'),
          );
        } catch {
          return false;
        }
      },
      'the doomed worker’s container wrote a file',
      120_000,
    );
    const exited = new Promise((r) => doomed.once('exit', r));
    process.kill(-(doomed.pid ?? 0), 'SIGKILL');
    await exited;
    const [orphan] = runningContainers(state);
    expect(orphan?.Labels).toMatchObject({
      'trt-orchestrator.build': build.id,
      'trt-orchestrator.step': 'build',
      'trt-orchestrator.worker': 'doomed',
      'trt-orchestrator.host': 'host-e2e',
    });
    expect(isAlive(orphan?.Pid ?? -1)).toBe(true);

    rescuer = await startWorker(
      fakeWorkerDeps(redis, prefix, {
        gpuType: 'H100',
        executor: createDockerExecutor({ env, forceKillAfterMs: 1_000 }),
        fence: createDockerFence({ env }),
        host: 'host-e2e',
        allocator: createGpuAllocator(['0', '1']),
        fetchItems: writeCheckpoint,
        workDir,
        workerName: 'rescuer',
        newRunId: () => `rescuer-${Date.now()}`,
        tuning: { lockDuration: 1500, stalledInterval: 500, maxStalledCount: 3 },
      }),
    );
    // Reaped at the rescuer's start: no container of that attempt is left.
    expect(isAlive(orphan?.Pid ?? -1)).toBe(false);
    const done = await waitForStatus(bq.store, build.id, ['succeeded', 'failed'], 120_000);
    expect(done?.error ?? null).toBeNull();
    expect(done?.status).toBe('succeeded');

    const lives = containerLives(state).filter((l) => l.labels['trt-orchestrator.step'] === 'build');
    expect(lives.map((l) => l.labels['trt-orchestrator.worker'])).toEqual(['doomed', 'rescuer']);
    expect(overlaps(lives)).toEqual([]);
    const rescued = lives[1]?.name ?? '';
    for (const f of ['rank0.engine', 'rank1.engine']) {
      const body = readFileSync(join(ws, 'engine', f), 'utf8');
      expect(body).toContain(`by ${rescued}`);
      expect(body).not.toContain(`by ${lives[0]?.name ?? '?'}`);
    }
  });
});
