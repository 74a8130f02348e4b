/**
 * Shared fixtures for the queue/API integration tests: hand-made plans, an in-memory allocator,
 * scripted executors and publishers, and wait helpers (final statuses read from the build's log
 * stream with a blocking XREAD; other conditions polled against a deadline, never fixed sleeps).
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import type { Failure } from '../../../orchestrator/build/failure.js';
import type {
  GpuAllocator,
  ProcessResult,
  StepExecutor,
  StepFailure,
  StepOutcome,
  StepRunContext,
} from '../../../orchestrator/exec/types.js';
import type { GpuType } from '../../../orchestrator/gpu/catalog.js';
import type { BuildPlan, ContainerStep } from '../../../orchestrator/plan/types.js';
import type { BuildStore } from '../../../orchestrator/records/build-store.js';
import type { ArtifactStore } from '../../../orchestrator/storage/ports.js';
import type { BuildView } from '../../../orchestrator/records/build-view.js';
import { isTerminal } from '../../../orchestrator/build/state-machine.js';
import { LogFollower } from '../../../orchestrator/records/log-follower.js';
import type { ArtifactsView } from '../../../orchestrator/records/build-view.js';
import type {
  Decision,
  Publisher,
  PublishInput,
  PublishOutcome,
  WorkerDeps,
} from '../../../orchestrator/queue/ports.js';
import { silentLog } from '../../../orchestrator/records/service-log.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A unique prefix per test file run. */
export function uniquePrefix(tag: string): string {
  return `t-${tag}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix` (only what this test created). */
export async function cleanupPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A hand-made v1 plan: fetch → convert → engine_build → publish. */
export function fixturePlan(seed: string, gpuType: GpuType = 'H100', gpuCount = 1): BuildPlan {
  const hex = createHash('sha256').update(seed).digest('hex');
  const image = 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0';
  const base = { gpus: 0, secretEnv: [] as string[], timeoutSeconds: 600 };
  const container = (id: string, kind: ContainerStep['kind'], argv: string[]): ContainerStep => ({
    ...base,
    id,
    kind,
    description: id,
    image,
    argv,
    gpus: gpuCount,
    inputs: [],
    outputs: [],
  });
  return {
    schemaVersion: 1,
    planHash: `sha256:${hex}`,
    stack: 'v1',
    baseModel: 'decoder',
    accelerator: { type: gpuType, count: gpuCount, sm: 90 },
    builder: { gpuType, gpuCount },
    lane: {
      name: 'v1-engine',
      image,
      stepsImage: image,
      tritonImage: image,
      registry: 'nvcr.io',
      repository: 'nvidia/tensorrt-llm/release',
      tag: '1.2.0',
      digest: null,
      trtllmVersion: '1.2.0',
    },
    workspace: {
      mount: '/workspace',
      checkpointDir: '/workspace/checkpoint',
      artifactDir: '/workspace/engine',
      launchDir: '/workspace/launch',
    },
    steps: [
      {
        ...base,
        id: 'fetch',
        kind: 'fetch',
        description: 'fetch',
        image: null,
        argv: [],
        inputs: [],
        outputs: ['/workspace/checkpoint'],
        items: [
          {
            role: 'checkpoint',
            name: null,
            source: 'HF',
            repo: 'acme/tiny',
            revision: null,
            repoType: 'model',
            secretName: 'HF_TOKEN',
            dest: '/workspace/checkpoint',
          },
        ],
      },
      container('convert', 'convert', ['python3', 'convert_checkpoint.py', '--model_dir', '/workspace/checkpoint']),
      container('build', 'engine_build', ['trtllm-build', '--checkpoint_dir', '/workspace/ckpt']),
      {
        ...base,
        id: 'publish',
        kind: 'publish',
        description: 'publish',
        image: null,
        argv: [],
        inputs: [],
        outputs: [],
        artifactDir: '/workspace/engine',
        artifactKind: 'engine',
      },
    ],
    launch: {},
    assumptions: [],
  };
}

const okResult: ProcessResult = {
  exitCode: 0,
  signal: null,
  timedOut: false,
  canceled: false,
  tail: '',
  durationMs: 1,
};

/** A failure of the given class, as the exec layer reports it. */
export function failure(cls: StepFailure['class'], retryable: boolean): StepFailure {
  return {
    class: cls,
    code: `STEP_${cls.toUpperCase()}`,
    message: `fake ${cls}`,
    advice: cls === 'cuda_oom' ? 'raise num_builder_gpus' : null,
    retryable,
    result: { ...okResult, exitCode: 1 },
  };
}

export type Script = (step: ContainerStep, ctx: StepRunContext, call: number) => Promise<StepOutcome>;

/** An in-process executor driven by a script; records every call. */
export function scriptedExecutor(script: Script): StepExecutor & {
  calls: { step: string; gpuIds: readonly string[]; runName: string; start: number; end: number }[];
} {
  const calls: { step: string; gpuIds: readonly string[]; runName: string; start: number; end: number }[] = [];
  return {
    name: 'local',
    calls,
    async run(step, ctx) {
      const rec = { step: step.id, gpuIds: ctx.gpuIds, runName: ctx.runName, start: performance.now(), end: 0 };
      calls.push(rec);
      try {
        return await script(step, ctx, calls.length);
      } finally {
        rec.end = performance.now();
      }
    },
  };
}

/** Succeeds at once, printing a progress line. */
export const instantScript: Script = (_step, ctx) => {
  ctx.onLine('[1/2] working', 'stdout');
  ctx.onLine('[2/2] done', 'stdout');
  return Promise.resolve({ ok: true, result: okResult });
};

/** Runs until aborted, then reports a cancel. */
export function hangUntilAborted(ctx: StepRunContext): Promise<StepOutcome> {
  return new Promise((resolve) => {
    const done = (): void =>
      resolve({ ok: false, failure: { ...failure('canceled', false), result: { ...okResult, canceled: true } } });
    if (ctx.signal.aborted) done();
    else ctx.signal.addEventListener('abort', done, { once: true });
  });
}

/** An exclusive in-memory allocator (the tests' stand-in until exec/ provides one). */
export function memoryAllocator(ids: readonly string[]): GpuAllocator {
  const held = new Map<string, readonly string[]>();
  return {
    deviceIds: ids,
    tryAcquire(holder, count, exclude) {
      const existing = held.get(holder);
      if (existing) return existing;
      const used = new Set([...[...held.values()].flat(), ...(exclude ?? [])]);
      const free = ids.filter((i) => !used.has(i));
      if (free.length < count) return null;
      const got = free.slice(0, count);
      held.set(holder, got);
      return got;
    },
    release(holder) {
      held.delete(holder);
    },
    snapshot() {
      return Object.fromEntries(held);
    },
  };
}

/** A publisher keeping manifests in memory; counts manifest writes per plan hash. */
export function memoryPublisher(): Publisher & { manifestWrites: Map<string, number> } {
  const manifestWrites = new Map<string, number>();
  const view = (planHash: string): ArtifactsView => ({
    store: 'memory://',
    prefix: `builds/${planHash.slice(7)}/`,
    manifest: `builds/${planHash.slice(7)}/manifest.json`,
  });
  return {
    manifestWrites,
    published(planHash) {
      return Promise.resolve(manifestWrites.has(planHash) ? view(planHash) : null);
    },
    publish(input: PublishInput): Promise<PublishOutcome> {
      const h = input.plan.planHash;
      const already = manifestWrites.has(h);
      if (!already) manifestWrites.set(h, 1);
      return Promise.resolve({ alreadyPublished: already, artifacts: view(h) });
    },
  };
}

/** Retry transient failures (network, container runtime, unknown, retryable fetch/publish codes) after 50 ms; stop on the rest. */
export function testDecide(f: Failure, _attempt: number): Decision {
  if (f.class === 'canceled') return { action: 'cancel' };
  if (f.retryable) return { action: 'retry', delayMs: 50 };
  return { action: 'fail', code: f.code, advice: f.advice };
}

/** Worker deps with fakes; override what a test needs. */
export function fakeWorkerDeps(connection: Redis, prefix: string, over: Partial<WorkerDeps> = {}): WorkerDeps {
  let n = 0;
  return {
    connection,
    prefix,
    gpuType: 'H100',
    io: true,
    executor: scriptedExecutor(instantScript),
    allocator: memoryAllocator(['0', '1']),
    fetchItems: (items) => fetchedItems(items),
    publisher: memoryPublisher(),
    decideOutcome: testDecide,
    secrets: { HF_TOKEN: 'hf_secret_never_logged' },
    workDir: '/tmp/trt-queue-tests',
    now: () => Date.now(),
    newRunId: () => `r${++n}`,
    log: silentLog,
    workerName: `w-${randomUUID().slice(0, 6)}`,
    tuning: { lockDuration: 5000, stalledInterval: 2000, maxStalledCount: 2 },
    heartbeatMs: 1000,
    ...over,
  };
}

/** Polls `read` until `ok` holds or the deadline passes (then throws with the last value). */
export async function waitFor<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
    last = await read();
  }
  return last;
}

/**
 * Waits until the build reaches `status`. A final status is awaited on the build's log stream (its
 * `end` entry, read with a blocking XREAD: no polling), and a build that ends in another status
 * fails the wait at once with its error; other statuses are polled.
 */
export async function waitForStatus(
  store: BuildStore,
  id: string,
  status: BuildView['status'] | readonly BuildView['status'][],
  timeoutMs = 15_000,
): Promise<BuildView | null> {
  const want = typeof status === 'string' ? [status] : status;
  const what = `build ${id} → ${want.join('|')}`;
  if (!want.every(isTerminal))
    return waitFor(
      () => store.get(id),
      (v) => v !== null && want.includes(v.status),
      timeoutMs,
      what,
    );
  const ended = (v: BuildView | null): BuildView | null => {
    if (v && want.includes(v.status)) return v;
    throw new Error(`${what}: it ended ${v?.status ?? 'missing'} (error: ${JSON.stringify(v?.error ?? null)})`);
  };
  const before = await store.get(id);
  if (before && isTerminal(before.status)) return ended(before);
  // Redis and Cluster both have duplicate() (their union's signatures do not unify).
  const blocking = (store.redis as Redis).duplicate();
  const follower = new LogFollower(store.redis, blocking, store.keys);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const stop = follower.follow(id, 0, (items) => {
        if (!items.some((i) => i.kind === 'end')) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  } finally {
    await follower.close();
    blocking.disconnect();
  }
  return ended(await store.get(id));
}

/** Like `instantScript`, and the `build` step writes an engine file where the plan's publish step looks. */
export const engineScript: Script = async (step, ctx, call) => {
  if (step.id === 'build') {
    await mkdir(join(ctx.workspaceDir, 'engine'), { recursive: true });
    await writeFile(join(ctx.workspaceDir, 'engine', 'rank0.engine'), `engine for ${ctx.runName}\n`.repeat(100));
  }
  return instantScript(step, ctx, call);
};

/** An artifact store that appends one line to `logFile` per manifest written (counts across processes). */
export function countingStore(inner: ArtifactStore, logFile: string): ArtifactStore {
  const note = async (key: string): Promise<void> => {
    if (key.endsWith('/manifest.json')) await appendFile(logFile, `${key}\n`);
  };
  return {
    url: inner.url,
    putFile: async (key, path) => {
      await note(key);
      return inner.putFile(key, path);
    },
    putBytes: async (key, body, type) => {
      await note(key);
      return inner.putBytes(key, body, type);
    },
    getBytes: (key) => inner.getBytes(key),
    head: (key) => inner.head(key),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
  };
}

/** What `queueHarness` gives a test file: its own prefix, Redis connection and BuildQueue, and the worker it starts. */
export interface QueueHarness {
  readonly prefix: string;
  redis: Redis;
  bq: BuildQueue;
  worker: ServiceWorker | null;
}

/**
 * One test file's queue under a unique prefix: connects before the file's tests, and afterwards closes
 * the worker the tests put in `worker` (waiting `closeWorkerMs`), the queue, and deletes the prefix's keys.
 */
export function queueHarness(name: string, closeWorkerMs = 500): QueueHarness {
  const h = { prefix: uniquePrefix(name), worker: null } as unknown as QueueHarness;
  beforeAll(() => {
    h.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    h.bq = new BuildQueue(h.redis, h.prefix, () => Date.now());
  });
  afterAll(async () => {
    await h.worker?.close(closeWorkerMs);
    await h.bq.close();
    await cleanupPrefix(h.redis, h.prefix);
    h.redis.disconnect();
  });
  return h;
}

/**
 * What a fake `fetchItems` returns once it has put `items` in place: each one downloaded (not from
 * the cache) and resolved to `resolvedRevision`, with its requested revision and no file list.
 */
export function fetchedItems(
  items: Parameters<WorkerDeps['fetchItems']>[0],
  resolvedRevision = 'a'.repeat(40),
): ReturnType<WorkerDeps['fetchItems']> {
  return Promise.resolve(
    items.map((item) => ({
      item,
      fromCache: false,
      resolved: {
        source: item.source,
        repo: item.repo,
        requestedRevision: item.revision,
        resolvedRevision,
        files: [],
      },
    })),
  );
}
