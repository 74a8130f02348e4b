/**
 * The REST app through `inject()` on real Redis with the real planner: auth, submit (YAML and
 * JSON), duplicate collapse, 413/415/422, status, list, cancel, paged logs, SSE, metrics, readyz.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import type { ApiDeps } from '../../../orchestrator/api/api-deps.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  fixturePlan,
  memoryPublisher,
  scriptedExecutor,
  uniquePrefix,
  waitForStatus,
} from '../queue/fixtures.js';

const TOKEN = 'tok-api-test-7f3a9c';
const auth = { authorization: `Bearer ${TOKEN}` };
const recipe = (name: string): string => readFileSync(join(import.meta.dirname, '../../../recipes', name), 'utf8');
const L4_YAML = recipe('qwen2.5-7b-noquant-l4.yaml');
const H100_YAML = recipe('llama-3.1-8b-fp8-h100.yaml');

const prefix = uniquePrefix('api');
let redis: Redis;
let queue: BuildQueue;
let app: FastifyInstance;
let deps: ApiDeps;
const workers: ServiceWorker[] = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new BuildQueue(redis, prefix, () => Date.now());
  deps = {
    redis,
    queue,
    planConfig: (t) => planConfigText(t),
    publisher: memoryPublisher(),
    tokens: [TOKEN, 'other-token'],
    bodyLimit: 64 * 1024,
    streamPollMs: 20,
  };
  app = buildApp(deps);
  await app.ready();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(1000)));
  await app.close();
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

const postYaml = (url: string, body: string, headers: Record<string, string> = auth) =>
  app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/yaml' }, payload: body });

describe('auth and errors', () => {
  it('requires a valid bearer token on /v1 and never echoes it', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
    ]) {
      const r = await app.inject({ method: 'GET', url: '/v1/builds', headers });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
      expect(r.headers['www-authenticate']).toBe('Bearer');
      expect(r.body).not.toContain(TOKEN);
    }
    expect(
      (await app.inject({ method: 'GET', url: '/v1/builds', headers: { authorization: 'Bearer other-token' } }))
        .statusCode,
    ).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('answers 413 over the body limit, 415 for other media types, 400 for bad JSON without quoting the body', async () => {
    const big = await postYaml('/v1/builds', `${L4_YAML}\n# ${'x'.repeat(70 * 1024)}\n`);
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const text = await app.inject({
      method: 'POST',
      url: '/v1/builds',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/builds',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"config": {"hf_token": "hf_SUPERSECRET"',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(bad.body).not.toContain('SUPERSECRET');
    const wrongShape = await app.inject({ method: 'POST', url: '/v1/builds', headers: auth, payload: { config: 42 } });
    expect(wrongShape.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: '"config" must be an object or a YAML string (got number)' },
    });
    const unknown = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(unknown.statusCode).toBe(404);
  });

  it('answers 422 with the trt-plan diagnostics object', async () => {
    const r = await postYaml('/v1/builds', 'trt_llm:\n  build:\n    max_batch_size: -1\n');
    expect(r.statusCode).toBe(422);
    const body = r.json<{ valid: boolean; errors: { code: string; path: string; line: number }[]; plan: unknown }>();
    expect(body.valid).toBe(false);
    expect(body.plan).toBeNull();
    expect(body.errors.length).toBeGreaterThan(0);
    expect(body).toEqual(JSON.parse(JSON.stringify(planConfigText('trt_llm:\n  build:\n    max_batch_size: -1\n'))));
  });
});

describe('builds', () => {
  it('plans without enqueueing (POST /v1/plans)', async () => {
    const r = await postYaml('/v1/plans', H100_YAML);
    expect(r.statusCode).toBe(200);
    const body = r.json<{ valid: boolean; plan: { planHash: string } }>();
    expect(body.valid).toBe(true);
    expect(body.plan.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await queue.store.list(null, 0, 100)).total).toBe(0);
  });

  it('submits (202), collapses duplicates in YAML and JSON (200), shows, lists and cancels', async () => {
    const first = await postYaml('/v1/builds', L4_YAML);
    expect(first.statusCode).toBe(202);
    const sub = first.json<{ id: string; status: string; planHash: string; links: Record<string, string> }>();
    expect(sub.status).toBe('queued');
    expect(sub.links['self']).toBe(`/v1/builds/${sub.id}`);
    expect(first.headers['location']).toBe(`/v1/builds/${sub.id}`);

    const again = await postYaml('/v1/builds', L4_YAML);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: sub.id, created: false });
    const asJson = await app.inject({ method: 'POST', url: '/v1/builds', headers: auth, payload: { config: L4_YAML } });
    expect(asJson.statusCode).toBe(200);
    expect(asJson.json()).toMatchObject({ id: sub.id });

    const got = await app.inject({ method: 'GET', url: `/v1/builds/${sub.id}`, headers: auth });
    expect(got.statusCode).toBe(200);
    const view = got.json<{
      status: string;
      planHash: string;
      steps: { id: string; kind: string; status: string }[];
      error: null;
      artifacts: null;
      createdAt: string;
    }>();
    expect(view).toMatchObject({ status: 'queued', planHash: sub.planHash, error: null, artifacts: null });
    expect(view.steps.map((s) => s.kind)).toEqual(['fetch', 'convert', 'engine_build', 'publish']);
    expect(view.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(Number.isNaN(Date.parse(view.createdAt))).toBe(false);

    for (const id of ['nope', '..%2F..%2Fetc', `${sub.id.slice(0, -1)}9`]) {
      const r = await app.inject({ method: 'GET', url: `/v1/builds/${id}`, headers: auth });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ error: { code: 'BUILD_NOT_FOUND' } });
    }

    const listed = await app.inject({ method: 'GET', url: '/v1/builds?status=queued&limit=10', headers: auth });
    expect(listed.json()).toMatchObject({ total: 1, offset: 0, limit: 10, items: [{ id: sub.id }] });
    expect((await app.inject({ method: 'GET', url: '/v1/builds?status=running', headers: auth })).json()).toMatchObject(
      { total: 0, items: [] },
    );
    const badList = await app.inject({ method: 'GET', url: '/v1/builds?status=weird&limit=0', headers: auth });
    expect(badList.statusCode).toBe(400);
    expect(badList.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });

    const cancel = await app.inject({ method: 'POST', url: `/v1/builds/${sub.id}/cancel`, headers: auth });
    expect([200, 202]).toContain(cancel.statusCode);
    await waitForStatus(queue.store, sub.id, 'cancelled', 5000);
    const twice = await app.inject({ method: 'POST', url: `/v1/builds/${sub.id}/cancel`, headers: auth });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'BUILD_ALREADY_FINISHED' } });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/builds/0000000000000000-1/cancel', headers: auth })).statusCode,
    ).toBe(404);

    // After a cancel the same plan starts a new build.
    const fresh = await postYaml('/v1/builds', L4_YAML);
    expect(fresh.statusCode).toBe(202);
    expect(fresh.json<{ id: string }>().id).not.toBe(sub.id);
    await app.inject({ method: 'POST', url: `/v1/builds/${fresh.json<{ id: string }>().id}/cancel`, headers: auth });
  });

  it('streams logs live over SSE until the build ends, and pages them afterwards', async () => {
    const executor = scriptedExecutor(async (step, ctx) => {
      for (let i = 1; i <= 3; i++) {
        ctx.onLine(`${step.id} line ${i} [${i}/3]`, 'stdout');
        await new Promise((r) => setImmediate(r));
      }
      return {
        ok: true,
        result: { exitCode: 0, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 1 },
      };
    });
    workers.push(
      await startWorker(fakeWorkerDeps(redis, prefix, { gpuType: 'H100', executor, publisher: memoryPublisher() })),
    );
    const sub = (await postYaml('/v1/builds', H100_YAML)).json<{ id: string }>();
    const stream = await app.inject({
      method: 'GET',
      url: `/v1/builds/${sub.id}/logs`,
      headers: { ...auth, accept: 'text/event-stream' },
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const events = stream.body.split('\n\n').filter(Boolean);
    const logLines = events
      .filter((e) => e.includes('event: log'))
      .map((e) => (JSON.parse(e.split('data: ')[1] ?? '{}') as { line: string }).line);
    expect(logLines.filter((l) => l.includes('line 3'))).toHaveLength(executor.calls.length);
    expect(events.at(-1)).toContain('event: end');
    expect(events.at(-1)).toContain('"status":"succeeded"');

    const page1 = (await app.inject({ method: 'GET', url: `/v1/builds/${sub.id}/logs?limit=2`, headers: auth })).json<{
      entries: { seq: number }[];
      next: number;
    }>();
    expect(page1.entries.map((e) => e.seq)).toEqual([1, 2]);
    const page2 = (
      await app.inject({ method: 'GET', url: `/v1/builds/${sub.id}/logs?after=${page1.next}&limit=2`, headers: auth })
    ).json<{ entries: { seq: number }[] }>();
    expect(page2.entries.map((e) => e.seq)).toEqual([3, 4]);
    const resumed = await app.inject({
      method: 'GET',
      url: `/v1/builds/${sub.id}/logs?follow=true`,
      headers: { ...auth, 'last-event-id': String(logLines.length - 1) },
    });
    expect(resumed.body.match(/event: log/g)).toHaveLength(1);
    expect(
      (await app.inject({ method: 'GET', url: `/v1/builds/${sub.id}/logs?after=-1`, headers: auth })).statusCode,
    ).toBe(400);

    const view = (await app.inject({ method: 'GET', url: `/v1/builds/${sub.id}`, headers: auth })).json<{
      status: string;
      artifacts: { manifest: string };
    }>();
    expect(view.status).toBe('succeeded');
    expect(view.artifacts.manifest).toContain('manifest.json');
  });
});

describe('live log stream over real HTTP', () => {
  it('delivers lines as they are written, ends with the build, and closes open streams on shutdown', async () => {
    const live = buildApp(deps);
    const url = await live.listen({ host: '127.0.0.1', port: 0 });
    const ssePlan = fixturePlan('sse-live', 'T4');
    const { id } = await queue.store.claim(ssePlan, Date.now(), null);
    const res = await fetch(`${url}/v1/builds/${id}/logs`, { headers: { ...auth, accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let seen = '';
    const readUntil = async (needle: string): Promise<void> => {
      while (!seen.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${seen}`);
        seen += decoder.decode(value);
      }
    };
    await readUntil('"status":"queued"');
    await queue.store.logBatch(id, [{ ts: 1, step: 'convert', stream: 'stdout', line: 'written while streaming' }]);
    await readUntil('written while streaming');
    await queue.store.setStatus(id, 'cancelled', Date.now());
    await readUntil('event: end');
    expect((await reader.read()).done).toBe(true);
    // A reconnect to the finished build's stream gets the end at once (clients must not reconnect).
    const again = await fetch(`${url}/v1/builds/${id}/logs?follow=true`, {
      headers: { ...auth, 'last-event-id': '1' },
    });
    const rest = await again.text();
    expect(rest).toContain('event: end\ndata: {"status":"cancelled"}');
    expect(rest).not.toContain('event: log');

    // A stream still open when the app closes is ended (close does not hang).
    const { id: id2 } = await queue.store.claim(fixturePlan('sse-open', 'T4'), Date.now(), null);
    const open = await fetch(`${url}/v1/builds/${id2}/logs?follow=true`, { headers: auth });
    const r2 = open.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
    expect(decoder.decode((await r2?.read())?.value)).toContain('event: status');
    const tc = Date.now();
    await live.close();
    expect(Date.now() - tc).toBeLessThan(2000);
    let ended = false;
    while (!ended) ended = (await r2?.read())?.done ?? true;
    expect(ended).toBe(true);
  });
});

describe('operations', () => {
  it('serves Prometheus metrics', async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    expect(r.body).toContain('trt_queue_jobs{queue="build-H100",gpu_type="H100",state="waiting"}');
    expect(r.body).toMatch(/trt_builds\{status="succeeded"\} [1-9]/);
    expect(r.body).toMatch(/trt_step_duration_seconds_count\{kind="engine_build"\} [1-9]/);
    expect(r.body).toContain('trt_checkpoint_cache_misses_total');
    expect(r.body).toMatch(/trt_gpus\{worker="w-[^"]+",gpu_type="H100",state="total"\} 2/);
  });

  it('reports readiness from Redis', async () => {
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const offline = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: null });
    const down = buildApp({ ...deps, redis: offline });
    const r = await down.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    await down.close();
    offline.disconnect();
  });

  it('answers 503 (not a hang, not a 500) when Redis is unreachable', async () => {
    const offline = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const offQueue = new BuildQueue(offline, prefix, () => Date.now());
    const down = buildApp({ ...deps, redis: offline, queue: offQueue });
    const get = await down.inject({ method: 'GET', url: '/v1/builds/0123456789abcdef-1', headers: auth });
    expect(get.statusCode).toBe(503);
    expect(get.json()).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: 'the queue store (redis) is unreachable; retry later' },
    });
    const post = await down.inject({
      method: 'POST',
      url: '/v1/builds',
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: L4_YAML,
    });
    expect(post.statusCode).toBe(503);
    await down.close();
    await offQueue.close();
    offline.disconnect();
  });

  it('publishes an OpenAPI document covering every route', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    // The routes of this app (other route files add theirs to the same document).
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/metrics',
        '/readyz',
        '/v1/builds',
        '/v1/builds/{id}',
        '/v1/builds/{id}/cancel',
        '/v1/builds/{id}/logs',
        '/v1/plans',
        '/v1/workers',
      ]),
    );
  });
});
