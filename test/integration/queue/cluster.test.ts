/**
 * The queue on a real three-master Redis Cluster started by this test on loopback ports
 * (`redis-server --cluster-enabled yes`, then `redis-cli --cluster create`): with the `{…}`
 * prefix every key of a build and of a queue shares one hash tag, so the scripts, BullMQ's flows
 * and the live-log reader work as on a single Redis. Skipped, saying why, without redis-server.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { LogFollower } from '../../../orchestrator/records/log-follower.js';
import type { StreamItem } from '../../../orchestrator/records/log-follower.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import {
  fakeWorkerDeps,
  fixturePlan,
  hangUntilAborted,
  instantScript,
  memoryAllocator,
  scriptedExecutor,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const hasRedis =
  spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
if (!hasRedis) console.warn('cluster.test: redis-server/redis-cli not found; the Redis Cluster suite is skipped');

const base = 20_000 + Math.floor(Math.random() * 20_000);
const ports = [base, base + 1, base + 2];
const dir = mkdtempSync(join(tmpdir(), 'trt-cluster-'));
const servers: ChildProcess[] = [];
const prefix = `{t-cl-${Math.random().toString(16).slice(2, 8)}}`;
let cluster: Cluster;
let bq: BuildQueue;
const workers: ServiceWorker[] = [];

function clusterReady(): Promise<boolean> {
  const r = spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' });
  return Promise.resolve(r.stdout.includes('cluster_state:ok'));
}

beforeAll(async () => {
  if (!hasRedis) return;
  for (const port of ports) {
    const p = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    servers.push(p);
  }
  await waitFor(
    () =>
      Promise.resolve(
        ports.every(
          (p) => spawnSync('redis-cli', ['-p', String(p), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG',
        ),
      ),
    (ok) => ok,
    10_000,
    'redis servers up',
  );
  const create = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (create.status !== 0) throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
  await waitFor(clusterReady, (ok) => ok, 20_000, 'cluster_state:ok');
  cluster = new Cluster(
    ports.map((port) => ({ host: '127.0.0.1', port })),
    { redisOptions: { maxRetriesPerRequest: null } },
  );
  await waitFor(
    () => cluster.ping().catch(() => 'no'),
    (r) => r === 'PONG',
    10_000,
    'cluster client',
  );
  bq = new BuildQueue(cluster, prefix, () => Date.now());
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(500)));
  await bq?.close();
  cluster?.disconnect();
  for (const s of servers) s.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasRedis)('on a three-master Redis Cluster', () => {
  it('keeps every key of the service in one slot (the prefix hash tag)', async () => {
    const plan = fixturePlan('cl-keys', 'H100');
    const { id } = await bq.store.claim(plan, Date.now(), null);
    const k = bq.store.keys;
    const slots = new Set<number>();
    const node = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
    for (const key of [
      k.build(id),
      k.fetchSecret(id),
      k.log(id),
      k.byPlan(plan.planHash),
      k.index,
      k.statusIndex('queued'),
      k.workers,
      `${prefix}:build-H100:wait`,
    ])
      slots.add(Number(await node.cluster('KEYSLOT', key)));
    node.disconnect();
    expect(slots.size).toBe(1);
    await bq.cancel(id);
  });

  it('submits, builds, collapses duplicates, streams logs and cancels', async () => {
    const executor = scriptedExecutor((step, ctx, n) =>
      step.id === 'build' && ctx.gpuIds.length === 2 ? hangUntilAborted(ctx) : instantScript(step, ctx, n),
    );
    workers.push(
      await startWorker(
        fakeWorkerDeps(cluster as unknown as Redis, prefix, {
          gpuType: 'H100',
          executor,
          allocator: memoryAllocator(['0', '1']),
        }),
      ),
    );
    const plan = fixturePlan('cl-happy', 'H100');
    const [a, b] = await Promise.all([bq.submit(plan, null), bq.submit(plan, null)]);
    expect(a?.build.id).toBe(b?.build.id);
    const done = await waitForStatus(bq.store, a.build.id, 'succeeded', 20_000);
    expect(done?.steps.every((s) => s.status === 'succeeded')).toBe(true);
    expect((await bq.store.readLogs(a.build.id, 0, 100)).entries.map((e) => e.line)).toContain('[2/2] done');

    // Live logs through the follower (blocking reads with a bound on a Cluster).
    const blocking = cluster.duplicate();
    const follower = new LogFollower(cluster, blocking, bq.store.keys, 200);
    const running = await bq.submit(fixturePlan('cl-cancel', 'H100', 2), null);
    const items: StreamItem[] = [];
    const stop = follower.follow(running.build.id, 0, (its) => items.push(...its));
    await waitFor(
      () => bq.store.get(running.build.id),
      (v) => v?.steps.find((s) => s.id === 'build')?.status === 'running',
      20_000,
      'build step running',
    );
    expect((await bq.cancel(running.build.id)).kind).toMatch(/requested|cancelled/);
    await waitForStatus(bq.store, running.build.id, 'cancelled', 10_000);
    await waitFor(
      () => Promise.resolve(items),
      (its) => its.some((i) => i.kind === 'end'),
      10_000,
      'end of the log stream',
    );
    expect(items.filter((i) => i.kind === 'log').length).toBeGreaterThan(0);
    stop();
    await follower.close();
    blocking.disconnect();
  });
});
