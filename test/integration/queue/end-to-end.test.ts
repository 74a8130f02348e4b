/**
 * The whole service with real components: the REST app (real planner), BullMQ on real Redis, the
 * docker executor against the fake `docker` CLI, the real GPU allocator and retry policy, and the
 * storage layer's publishBuild into a `file://` store. Covers submit → succeeded with a verified
 * manifest, duplicates, cancel of a running container, a transient retry and an OOM stop.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { RetryPolicy, decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import { createDockerExecutor } from '../../../orchestrator/exec/docker-executor.js';
import { createGpuAllocator } from '../../../orchestrator/exec/gpu-allocator.js';
import type { GpuType } from '../../../orchestrator/gpu/catalog.js';
import { hostPath, storePublisher } from '../../../orchestrator/main/store-publisher.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import type { BuildView } from '../../../orchestrator/records/build-view.js';
import type { FetchItems } from '../../../orchestrator/queue/ports.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { readManifest } from '../../../orchestrator/storage/publish/read-manifest.js';
import { redactConfig } from '../../../orchestrator/storage/publish/redact-config.js';
import { verifyPublished } from '../../../orchestrator/storage/publish/verify-published.js';
import { listContainers, recordedRuns } from '../../fixtures/bin/lib/fake-docker/state.js';
import { FAKE_BIN } from '../exec/helpers.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  fetchedItems,
  uniquePrefix,
  waitFor,
  waitForStatus,
} from './fixtures.js';
import { loraAdapterFiles, smallHfCheckpoint } from '../../fixtures/servers/small-hf-checkpoint.js';

const TOKEN = 'e2e-token-0123456789abcdef';
const SECRET = 'hf_e2e_planted_secret_value_9f8e7d';
const auth = { authorization: `Bearer ${TOKEN}` };
const recipe = (name: string): string => readFileSync(join(import.meta.dirname, '../../../recipes', name), 'utf8');

const prefix = uniquePrefix('e2e');
const root = mkdtempSync(join(tmpdir(), 'trt-e2e-'));
const storeDir = join(root, 'store');
const store = artifactStoreFromUrl(pathToFileURL(storeDir).href);
let redis: Redis;
let queue: BuildQueue;
let app: FastifyInstance;
const workers: ServiceWorker[] = [];
const states: Record<string, string> = {};

/** Writes a small HF-like checkpoint where each item lands (stands in for the HF download). */
const fakeFetch: FetchItems = (items, ctx) => {
  for (const item of items) {
    const dir = hostPath(ctx.workspaceDir, ctx.workspaceMount, item.dest);
    mkdirSync(dir, { recursive: true });
    const files = item.role === 'lora_adapter' ? loraAdapterFiles() : smallHfCheckpoint('LlamaForCausalLM');
    for (const f of files) writeFileSync(join(dir, f.path), f.data);
  }
  return fetchedItems(items, 'c'.repeat(40));
};

async function gpuWorker(gpuType: GpuType, knobs: Record<string, string>, io = false): Promise<void> {
  const state = join(root, `docker-${gpuType}`);
  states[gpuType] = state;
  const env = {
    ...process.env,
    PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
    FAKE_DOCKER_STATE: state,
    HF_TOKEN: SECRET,
    ...knobs,
  };
  const policy = RetryPolicy.parse({ baseDelayMs: 20, maxDelayMs: 100 });
  const w = await startWorker(
    fakeWorkerDeps(redis, prefix, {
      gpuType,
      io,
      executor: createDockerExecutor({ env, forceKillAfterMs: 2000 }),
      allocator: createGpuAllocator(['0', '1', '2', '3']),
      fetchItems: fakeFetch,
      publisher: storePublisher(store, [SECRET], () => Date.now()),
      decideOutcome: (f, attempt) => decideOutcome(f, attempt, policy),
      secrets: { HF_TOKEN: SECRET },
      workDir: join(root, 'work'),
    }),
  );
  workers.push(w);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new BuildQueue(redis, prefix, () => Date.now());
  app = buildApp({
    redis,
    queue,
    planConfig: (t) => planConfigText(t),
    publisher: storePublisher(store, [SECRET], () => Date.now()),
    configForRecord: (t) => redactConfig(parseYaml(t) as unknown, { secretValues: [SECRET] }),
    tokens: [TOKEN],
    bodyLimit: 256 * 1024,
    streamPollMs: 20,
  });
  await gpuWorker('H100', {}, true);
  await gpuWorker('L4', { FAKE_DOCKER_FAIL: 'hang' });
  await gpuWorker('A100', { FAKE_DOCKER_FAIL: 'network', FAKE_DOCKER_FAIL_TIMES: '1' });
  await gpuWorker('B200', { FAKE_DOCKER_FAIL: 'cuda_oom' });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(2000)));
  await app.close();
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

async function submit(yaml: string): Promise<{ status: number; id: string; planHash: string }> {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/builds',
    headers: { ...auth, 'content-type': 'application/yaml' },
    payload: yaml,
  });
  const b = r.json<{ id: string; planHash: string }>();
  return { status: r.statusCode, id: b.id, planHash: b.planHash };
}

const view = async (id: string): Promise<BuildView> =>
  (await app.inject({ method: 'GET', url: `/v1/builds/${id}`, headers: auth })).json<BuildView>();

// Each fake `docker run` starts a Node process (seconds on a loaded host): generous per-test limits.
describe('end to end', { timeout: 90_000 }, () => {
  it('builds an H100 fp8 engine through the fake docker, publishes a verified manifest, collapses duplicates', async () => {
    const yaml = recipe('llama-3.1-8b-fp8-h100.yaml');
    const first = await submit(yaml);
    expect(first.status).toBe(202);
    expect((await submit(yaml)).id).toBe(first.id);
    const done = await waitForStatus(queue.store, first.id, ['succeeded', 'failed'], 80_000);
    expect(done?.error).toBeNull();
    expect(done?.status).toBe('succeeded');
    expect(done?.steps.every((s) => s.status === 'succeeded')).toBe(true);

    const verified = await verifyPublished(store, first.planHash);
    expect(verified).toMatchObject({ ok: true, problems: [] });
    const manifest = await readManifest(store, first.planHash);
    expect(manifest?.files.map((f) => f.path)).toContain('artifact/rank0.engine');
    expect(manifest?.gpu).toMatchObject({ type: 'H100', sm: 90 });
    expect(manifest?.sources[0]).toMatchObject({ role: 'checkpoint', resolvedRevision: 'c'.repeat(40) });
    expect(done?.artifacts?.manifest).toBe(`builds/${first.planHash.slice(7)}/manifest.json`);

    const again = await submit(yaml);
    expect(again).toMatchObject({ status: 200, id: first.id });
    expect((await view(first.id)).status).toBe('succeeded');

    const logs = (
      await app.inject({ method: 'GET', url: `/v1/builds/${first.id}/logs?limit=5000`, headers: auth })
    ).json<{ entries: { line: string }[] }>();
    expect(logs.entries.some((e) => e.line.includes('[TRT-LLM]'))).toBe(true);
    const everything =
      JSON.stringify(logs) +
      readFileSync(join(storeDir, done?.artifacts?.manifest ?? ''), 'utf8') +
      JSON.stringify(recordedRuns(states['H100'] ?? ''));
    expect(everything).not.toContain(SECRET);
  });

  it('cancels a running build: the container is killed within seconds and the status is cancelled', async () => {
    const { id, status } = await submit(recipe('qwen2.5-7b-noquant-l4.yaml'));
    expect(status).toBe(202);
    await waitFor(
      () => view(id),
      (b) => b.steps.some((s) => s.kind !== 'fetch' && s.status === 'running'),
      30_000,
      'a container step running',
    );
    await waitFor(
      () => Promise.resolve(listContainers(states['L4'] ?? '')),
      (c) => c.length === 1,
      10_000,
      'fake container up',
    );
    const t0 = Date.now();
    const c = await app.inject({ method: 'POST', url: `/v1/builds/${id}/cancel`, headers: auth });
    expect(c.statusCode).toBe(202);
    await waitForStatus(queue.store, id, 'cancelled', 10_000);
    await waitFor(
      () => Promise.resolve(listContainers(states['L4'] ?? '')),
      (l) => l.length === 0,
      10_000,
      'container gone',
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/trt_gpus\{worker="[^"]+",gpu_type="L4",state="allocated"\} 0/);
  });

  it('retries a transient (network) failure and resumes', async () => {
    const { id } = await submit(recipe('llama-3.1-8b-lora-a100.yaml'));
    const done = await waitForStatus(queue.store, id, ['succeeded', 'failed'], 80_000);
    expect(done?.status).toBe('succeeded');
    const firstContainer = done?.steps.find((s) => s.kind !== 'fetch');
    expect(firstContainer?.attempts).toBe(2);
    expect(done?.steps.filter((s) => s.kind !== 'fetch' && s !== firstContainer).every((s) => s.attempts === 1)).toBe(
      true,
    );
  });

  it('never stores a secret in Redis (job data, build records, logs, metrics)', async () => {
    // A config carrying a secret value is refused without echoing it (and nothing is queued).
    const planted = recipe('llama-3.1-8b-fp8-h100.yaml').replace(
      'hf_access_token: null',
      `hf_access_token: "${SECRET}"`,
    );
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/builds',
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: planted,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('SECRET_VALUE_IN_CONFIG');
    expect(refused.body).not.toContain(SECRET);
    let cursor = '0';
    let scanned = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'zset'
                  ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                  : type === 'set'
                    ? JSON.stringify(await redis.smembers(key))
                    : type === 'stream'
                      ? JSON.stringify(await redis.xrange(key, '-', '+'))
                      : `unknown type ${type}`;
        expect(value ?? '', key).not.toContain(SECRET);
        scanned += 1;
      }
    } while (cursor !== '0');
    expect(scanned).toBeGreaterThan(20);
  });

  it('stops a CUDA OOM at once with advice to raise num_builder_gpus', async () => {
    const { id } = await submit(recipe('llama-3.1-8b-fp4-b200.yaml'));
    const done = await waitForStatus(queue.store, id, ['succeeded', 'failed'], 80_000);
    expect(done?.status).toBe('failed');
    expect(done?.error?.code).toBe('STEP_CUDA_OOM');
    expect(done?.error?.advice).toContain('num_builder_gpus');
    expect(done?.steps.filter((s) => s.status === 'failed')).toHaveLength(1);
    expect(done?.steps.filter((s) => s.status === 'failed')[0]?.attempts).toBe(1);
    expect(await readManifest(store, (await view(id)).planHash)).toBeNull();
  });
});
