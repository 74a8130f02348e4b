/**
 * Issue 9, item 2 end to end: worker A loses Redis (its connection is frozen by a TCP proxy) for
 * longer than the lock duration while its step runs. Worker B takes the build over. A's container
 * is stopped (A's lock-loss abort, and B's pre-run fence), so the step never runs twice at once;
 * once A's Redis comes back, its stale writes do not undo B's result.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerExecutor } from '../../orchestrator/exec/docker-executor.js';
import { createDockerFence } from '../../orchestrator/exec/docker-fence.js';
import { createGpuAllocator } from '../../orchestrator/exec/gpu-allocator.js';
import { BuildQueue } from '../../orchestrator/queue/build-queue.js';
import { workspaceDirFor } from '../../orchestrator/queue/build-processor.js';
import { startWorker, type ServiceWorker } from '../../orchestrator/queue/start-worker.js';
import { containerLives, runningContainers } from '../fixtures/bin/lib/fake-docker/state.js';
import { fencingPlan, writeCheckpoint } from '../integration/exec/fenced-worker-plan.js';
import { FAKE_BIN, overlaps, waitUntil } from '../integration/exec/helpers.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  uniquePrefix,
  waitForStatus,
} from '../integration/queue/fixtures.js';

/** A TCP proxy to Redis whose traffic can be frozen (a network partition of one worker). */
function freezableProxy(
  target: URL,
): Promise<{ port: number; freeze: () => void; thaw: () => void; close: () => Promise<void>; server: Server }> {
  const pairs: [Socket, Socket][] = [];
  let frozen = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    pairs.push([client, upstream]);
    client.pipe(upstream);
    upstream.pipe(client);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : 0,
        server,
        freeze: () => {
          frozen = true;
          for (const [a, b] of pairs) {
            a.pause();
            b.pause();
          }
        },
        thaw: () => {
          frozen = false;
          for (const [a, b] of pairs) {
            a.resume();
            b.resume();
          }
        },
        close: () => {
          for (const [a, b] of pairs) {
            a.destroy();
            b.destroy();
          }
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

const prefix = uniquePrefix('fence-outage');
const root = mkdtempSync(join(tmpdir(), 'trt-fence-outage-'));
const state = join(root, 'docker');
const workDir = join(root, 'work');
const env = { ...process.env, PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`, FAKE_DOCKER_STATE: state } as Record<
  string,
  string
>;
const tuning = { lockDuration: 1500, stalledInterval: 500, maxStalledCount: 3 };
let redis: Redis;
let redisA: Redis;
let bq: BuildQueue;
let proxy: Awaited<ReturnType<typeof freezableProxy>>;
const workers: ServiceWorker[] = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => Date.now());
  proxy = await freezableProxy(new URL(REDIS_URL));
  redisA = new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: null });
});

afterAll(async () => {
  proxy.thaw();
  await Promise.all(workers.map((w) => w.close(2000)));
  for (const c of runningContainers(state)) process.kill(-(c.Pid ?? 0), 'SIGKILL');
  redisA.disconnect();
  await proxy.close();
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

function worker(name: string, connection: Redis, host: string, knobs: Record<string, string>): Promise<ServiceWorker> {
  const e = { ...env, ...knobs };
  return startWorker(
    fakeWorkerDeps(connection, prefix, {
      gpuType: 'H100',
      executor: createDockerExecutor({ env: e, forceKillAfterMs: 1_000 }),
      fence: createDockerFence({ env: e }),
      host,
      allocator: createGpuAllocator(['0', '1']),
      fetchItems: writeCheckpoint,
      workDir,
      workerName: name,
      newRunId: () => `${name}-${Date.now()}`,
      tuning,
    }),
  );
}

describe('fencing end to end: a Redis outage longer than the lock', { timeout: 240_000 }, () => {
  it('the partitioned worker’s container is stopped, the takeover runs alone, the build succeeds once', async () => {
    workers.push(await worker('worker-a', redisA, 'host-a', { FAKE_DOCKER_HANG_AFTER_FILES: '1' }));
    const plan = fencingPlan('redis-outage');
    const { build } = await bq.submit(plan, null);
    await waitUntil(
      () =>
        runningContainers(state).some(
          (c) => c.Labels['trt-orchestrator.worker'] === 'worker-a' && c.Labels['trt-orchestrator.step'] === 'build',
        ),
      'worker A runs the build step',
      120_000,
    );
    workers.push(await worker('worker-b', redis, 'host-b', {}));
    proxy.freeze();
    // A cannot renew its lock: A stops its own container, B takes the job over and runs the step.
    const done = await waitForStatus(bq.store, build.id, ['succeeded', 'failed'], 120_000);
    proxy.thaw();
    expect(done?.status).toBe('succeeded');
    const lives = containerLives(state).filter((l) => l.labels['trt-orchestrator.step'] === 'build');
    expect(lives.map((l) => l.labels['trt-orchestrator.worker'])).toEqual(['worker-a', 'worker-b']);
    expect(overlaps(lives)).toEqual([]);
    const body = readFileSync(join(workspaceDirFor(workDir, build.id), 'engine', 'rank1.engine'), 'utf8');
    expect(body).toContain(`by ${lives[1]?.name ?? '?'}`);
    // A's stale writes after the outage change nothing: still succeeded, no container left.
    await new Promise<void>((r) => {
      redisA.ping().then(
        () => r(),
        () => r(),
      );
    });
    expect((await bq.store.get(build.id))?.status).toBe('succeeded');
    await waitUntil(() => runningContainers(state).length === 0, 'no container left', 30_000);
  });
});
