/**
 * A worker SIGKILLed mid-step loses nothing: BullMQ's stalled-job check hands the build to another
 * worker, which asks decideOutcome (as WORKER_LOST) and resumes after the last completed step,
 * publishing exactly one manifest. When the retry policy has no attempt left, the takeover fails the
 * build WORKER_LOST, and the rest of its flow leaves the queues.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import { storePublisher } from '../../../orchestrator/main/store-publisher.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { readManifest } from '../../../orchestrator/storage/publish/read-manifest.js';
import { verifyPublished } from '../../../orchestrator/storage/publish/verify-published.js';
import {
  REDIS_URL,
  cleanupPrefix,
  countingStore,
  engineScript,
  fakeWorkerDeps,
  fixturePlan,
  scriptedExecutor,
  uniquePrefix,
  waitFor,
  waitForStatus,
} from './fixtures.js';

const prefix = uniquePrefix('kill');
let redis: Redis;
let bq: BuildQueue;
let storeDir: string;
let child: ChildProcess | null = null;
let rescuer: ServiceWorker | null = null;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  bq = new BuildQueue(redis, prefix, () => Date.now());
  storeDir = await mkdtemp(join(tmpdir(), 'trt-kill-'));
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rescuer?.close(1000);
  await bq.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  await rm(storeDir, { recursive: true, force: true });
});

/** Starts the child worker and resolves when it prints `ready`. */
function spawnWorker(extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker-child.ts')], {
    env: {
      ...process.env,
      REDIS_URL,
      PREFIX: prefix,
      GPU_TYPE: 'H100',
      MODE: 'hang',
      STORE_DIR: storeDir,
      WORKER_NAME: 'doomed',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    p.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve(p);
    });
  });
}

/** Submits a plan to a child worker, SIGKILLs it while `stepId` runs, and resolves the build id. */
async function killMidStep(name: string, stepId: string, env: Record<string, string>): Promise<string> {
  const doomed = await spawnWorker(env);
  child = doomed; // afterAll kills it if the test fails before the SIGKILL
  const { build } = await bq.submit(fixturePlan(name, 'H100'), null);
  await waitFor(
    () => bq.store.get(build.id),
    (b) => b?.steps.find((s) => s.id === stepId)?.status === 'running',
    20_000,
    `${stepId} running in child`,
  );
  const exited = new Promise((r) => doomed.once('exit', r));
  doomed.kill('SIGKILL');
  await exited;
  return build.id;
}

/** A surviving worker whose retry decisions (code, attempt) are recorded in `asked`. */
function survivor(asked: [string, number][], policy = DEFAULT_RETRY_POLICY): Promise<ServiceWorker> {
  return startWorker(
    fakeWorkerDeps(redis, prefix, {
      gpuType: 'H100',
      executor: scriptedExecutor(engineScript),
      workDir: join(storeDir, 'work'),
      tuning: { lockDuration: 1500, stalledInterval: 500, maxStalledCount: 2 },
      decideOutcome: (f, attempt) => {
        asked.push([f.code, attempt]);
        return decideOutcome(f, attempt, policy);
      },
    }),
  );
}

it('recovers a build from a SIGKILLed worker and publishes it exactly once', async () => {
  child = await spawnWorker();
  const plan = fixturePlan('sigkill', 'H100');
  const { build } = await bq.submit(plan, null);
  await waitFor(
    () => bq.store.get(build.id),
    (b) => b?.steps.find((s) => s.id === 'build')?.status === 'running',
    20_000,
    'build step running in child',
  );
  const exited = new Promise((r) => child?.once('exit', r));
  child.kill('SIGKILL');
  await exited;

  const store = artifactStoreFromUrl(pathToFileURL(join(storeDir, 'store')).href);
  rescuer = await startWorker(
    fakeWorkerDeps(redis, prefix, {
      gpuType: 'H100',
      executor: scriptedExecutor(engineScript),
      publisher: storePublisher(countingStore(store, join(storeDir, 'writes.log')), [], () => Date.now()),
      workDir: join(storeDir, 'work'),
      tuning: { lockDuration: 1500, stalledInterval: 500, maxStalledCount: 2 },
    }),
  );
  const done = await waitForStatus(bq.store, build.id, 'succeeded', 20_000);
  expect(done?.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
    ['fetch', 'succeeded', 1],
    ['convert', 'succeeded', 1],
    ['build', 'succeeded', 2],
    ['publish', 'succeeded', 1],
  ]);
  expect(done?.attempts).toBe(2);
  const writes = (await readFile(join(storeDir, 'writes.log'), 'utf8')).trim().split('\n');
  expect(writes).toEqual([`builds/${plan.planHash.slice(7)}/manifest.json`]);
  expect(await verifyPublished(store, plan.planHash)).toMatchObject({ ok: true });
  expect((await readManifest(store, plan.planHash))?.files.map((f) => f.path)).toEqual(['artifact/rank0.engine']);
  await rescuer.close(1000);
  rescuer = null;
}, 60_000);

it('takes over a lost fetch (an io job) the same way: decideOutcome is asked about WORKER_LOST, the build completes', async () => {
  const id = await killMidStep('sigkill-fetch', 'fetch', { MODE: 'hang-fetch' });
  const asked: [string, number][] = [];
  const watcher = await survivor(asked);
  try {
    const done = await waitForStatus(bq.store, id, 'succeeded', 20_000);
    expect(asked).toEqual([['WORKER_LOST', 2]]);
    expect(done?.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ['fetch', 'succeeded', 2],
      ['convert', 'succeeded', 1],
      ['build', 'succeeded', 1],
      ['publish', 'succeeded', 1],
    ]);
  } finally {
    await watcher.close(1000);
  }
}, 60_000);

it('asks decideOutcome at a takeover: a lost worker with no attempt left fails the build WORKER_LOST', async () => {
  const id = await killMidStep('stall-limit', 'build', { MODE: 'hang' });
  // The survivor takes the stalled job over; its retry policy allows 2 attempts, and the takeover is the second.
  const asked: [string, number][] = [];
  const watcher = await survivor(asked, { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 });
  try {
    const failed = await waitForStatus(bq.store, id, 'failed', 20_000);
    expect(asked).toEqual([['WORKER_LOST', 2]]);
    expect(failed?.error).toEqual({
      code: 'WORKER_LOST',
      message: 'the job stalled 1 time(s): its worker stopped renewing the lock',
      advice: 'gave up after 2 attempts; check the worker hosts: a worker was killed or lost Redis repeatedly',
    });
    expect(failed?.steps.map((s) => [s.id, s.status])).toEqual([
      ['fetch', 'succeeded'],
      ['convert', 'succeeded'],
      ['build', 'failed'],
      ['publish', 'skipped'],
    ]);
    // The rest of its flow leaves the queues (the publish job never runs).
    await waitFor(
      async () => (await bq.queue('io').getJob(`${id}-publish`))?.id ?? 'absent',
      (s) => s === 'absent',
      5000,
      'publish job removed',
    );
  } finally {
    await watcher.close(1000);
  }
}, 60_000);
