/**
 * The entry points as real processes: `trt-api` and `trt-worker` (docker executor on the fake
 * docker, real HF fetch from the fake hub, real publish to a `file://` store). A build goes
 * through; a worker SIGTERMed mid-step hands its build back and exits 0; bad configuration
 * exits 2 without printing secrets.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildView } from '../../../orchestrator/records/build-view.js';
import { listContainers } from '../../fixtures/bin/lib/fake-docker/state.js';
import { startFakeHub } from '../../fixtures/servers/fake-hub.js';
import { smallHfCheckpoint } from '../../fixtures/servers/small-hf-checkpoint.js';
import type { FakeHub } from '../../fixtures/servers/fake-hub.js';
import {
  ROOT,
  WORKER_READY,
  apiSettings,
  killAll,
  serviceEnv,
  startApi,
  startEntry,
  workerSettings,
} from '../../support/service-processes.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix, waitFor } from '../queue/fixtures.js';

const TOKEN = 'svc-token-abcdef0123456789';
const HF_SECRET = 'hf_fake_token_for_service_tests';
const prefix = uniquePrefix('svc');
const dir = mkdtempSync(join(tmpdir(), 'trt-svc-'));
const L4_YAML = readFileSync(join(ROOT, 'recipes/qwen2.5-7b-noquant-l4.yaml'), 'utf8');
let hub: FakeHub;
let redis: Redis;
let baseUrl = '';
const procs: ChildProcess[] = [];

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return serviceEnv(
    { redisUrl: REDIS_URL, prefix, dir, hubUrl: hub.url },
    { SECRET_NAMES: 'hf_access_token', hf_access_token: HF_SECRET, ...extra },
  );
}

const start = (entry: 'trt-api' | 'trt-worker', e: NodeJS.ProcessEnv, ready: RegExp | null) =>
  startEntry(entry, e, ready, procs);

const api = async <T>(method: string, path: string, body?: string): Promise<{ status: number; json: T }> => {
  const r = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/yaml' } : {}) },
    ...(body ? { body } : {}),
  });
  return { status: r.status, json: (await r.json()) as T };
};

beforeAll(async () => {
  hub = await startFakeHub([{ id: 'Qwen/Qwen2.5-7B-Instruct', files: smallHfCheckpoint('Qwen2ForCausalLM') }]);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  baseUrl = (await startApi(env(apiSettings(TOKEN)), procs)).url;
}, 60_000);

afterAll(async () => {
  killAll(procs);
  await hub.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const workerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => env({ ...workerSettings(300), ...extra });

describe('service processes', () => {
  it('trt-api + trt-worker build a config fetched from the (fake) hub and publish it', async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    const w = await start('trt-worker', workerEnv(), WORKER_READY);
    const sub = await api<{ id: string }>('POST', '/v1/builds', L4_YAML);
    expect(sub.status).toBe(202);
    const done = await waitFor(
      () => api<BuildView>('GET', `/v1/builds/${sub.json.id}`).then((r) => r.json),
      (b) => b.status === 'succeeded' || b.status === 'failed',
      45_000,
      'build finished',
    );
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    const manifest = readFileSync(join(dir, 'store', done.artifacts?.manifest ?? 'missing'), 'utf8');
    expect(JSON.parse(manifest)).toMatchObject({
      planHash: done.planHash,
      sources: [{ repo: 'Qwen/Qwen2.5-7B-Instruct', resolvedRevision: hub.shaOf('Qwen/Qwen2.5-7B-Instruct') }],
    });
    expect(hub.requests.some((r) => r.authorization === `Bearer ${HF_SECRET}`)).toBe(true);
    w.proc.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    expect(w.output()).not.toContain(HF_SECRET);
  }, 90_000);

  it('a worker SIGTERMed mid-step hands the build back and exits 0; the next worker finishes it', async () => {
    const w = await start('trt-worker', workerEnv({ FAKE_DOCKER_SLEEP_MS: '120000' }), WORKER_READY);
    const sub = await api<{ id: string }>(
      'POST',
      '/v1/builds',
      L4_YAML.replace('max_batch_size: 32', 'max_batch_size: 16'),
    );
    expect(sub.status).toBe(202);
    await waitFor(
      () => api<BuildView>('GET', `/v1/builds/${sub.json.id}`).then((r) => r.json),
      (b) => b.steps.some((s) => s.kind === 'convert' && s.status === 'running'),
      45_000,
      'convert running',
    );
    w.proc.kill('SIGTERM');
    expect(await w.exit).toBe(0);
    const back = (await api<BuildView>('GET', `/v1/builds/${sub.json.id}`)).json;
    expect(back.status).toBe('queued');
    expect(back.steps.find((s) => s.kind === 'convert')?.status).toBe('pending');
    await waitFor(
      () => Promise.resolve(listContainers(join(dir, 'docker'))),
      (c) => c.length === 0,
      10_000,
      'container killed',
    );
    const w2 = await start('trt-worker', workerEnv(), WORKER_READY);
    const done = await waitFor(
      () => api<BuildView>('GET', `/v1/builds/${sub.json.id}`).then((r) => r.json),
      (b) => b.status === 'succeeded' || b.status === 'failed',
      45_000,
      'build finished',
    );
    expect(done.status).toBe('succeeded');
    expect(done.steps.find((s) => s.kind === 'fetch')?.attempts).toBe(1);
    w2.proc.kill('SIGTERM');
    expect(await w2.exit).toBe(0);
  }, 120_000);

  it('exits 2 on bad configuration and never prints a token', async () => {
    const a = await start('trt-api', env({ API_TOKENS: 'short-secret-x', PORT: 'abc' }), null);
    expect(await a.exit).toBe(2);
    expect(a.output()).toContain('API_TOKENS');
    expect(a.output()).toContain('PORT');
    expect(a.output()).not.toContain('short-secret-x');
    const w = await start('trt-worker', env({ EXECUTOR: 'docker', GPU_TYPE: '', GPU_IDS: '' }), null);
    expect(await w.exit).toBe(2);
    expect(w.output()).toContain('pass both --gpu-type and the device ids');
  }, 60_000);
});

describe('api shutdown', () => {
  it('trt-api stops on SIGTERM with exit code 0', async () => {
    const { api: a } = await startApi(env(apiSettings(TOKEN)), procs);
    a.proc.kill('SIGTERM');
    expect(await a.exit).toBe(0);
    expect(a.output()).toContain('shutting down');
    expect(a.output()).not.toContain(TOKEN);
  }, 60_000);
});
