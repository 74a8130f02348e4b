/**
 * The contracts other parts of the service build on, through the REST app on real Redis: status
 * events (running/succeeded, and a cancel of a queued build done by the API) in order with the
 * callback URL; the pre-flight hook turning a valid plan into a 422 with nothing enqueued;
 * `callback.url` validation; `GET /v1/workers` from the heartbeat registry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import type { PlanOutcome } from '../../../orchestrator/queue/ports.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import type { StatusEvent } from '../../../orchestrator/records/status-events.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  memoryAllocator,
  memoryPublisher,
  uniquePrefix,
  waitFor,
} from '../queue/fixtures.js';

const TOKEN = 'tok-contracts-test-1234';
const auth = { authorization: `Bearer ${TOKEN}` };
const recipe = (name: string): string => readFileSync(join(import.meta.dirname, '../../../recipes', name), 'utf8');
const prefix = uniquePrefix('contracts');
let redis: Redis;
let queue: BuildQueue;
let app: FastifyInstance;
const events: StatusEvent[] = [];
const listener = (e: StatusEvent): Promise<void> => {
  events.push(e);
  return Promise.resolve();
};
const workers: ServiceWorker[] = [];
let preflightCalls = 0;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new BuildQueue(redis, prefix, () => Date.now());
  app = buildApp({
    redis,
    queue,
    planConfig: (t) => planConfigText(t),
    publisher: memoryPublisher(),
    tokens: [TOKEN],
    bodyLimit: 256 * 1024,
    statusListeners: [listener],
    // Refuses L4 plans with a pre-flight error; passes the rest.
    preflight: (outcome: PlanOutcome) => {
      preflightCalls += 1;
      if (outcome.plan?.builder.gpuType !== 'L4') return Promise.resolve(outcome);
      return Promise.resolve({
        ...outcome,
        errors: [
          {
            path: 'model_metadata',
            code: 'PREFLIGHT_TEST',
            severity: 'error',
            message: 'refused by the test hook',
          } as unknown as PlanOutcome['errors'][number],
        ],
      });
    },
  });
  await app.ready();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(1000)));
  await app.close();
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('contracts', () => {
  it('the pre-flight hook can refuse a valid plan: 422 like a validation failure, nothing enqueued', async () => {
    const post = (url: string) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...auth, 'content-type': 'application/yaml' },
        payload: recipe('qwen2.5-7b-noquant-l4.yaml'),
      });
    const r = await post('/v1/builds');
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ valid: false, errors: [{ code: 'PREFLIGHT_TEST' }] });
    expect((await post('/v1/plans')).statusCode).toBe(422);
    expect((await queue.store.list(null, 0, 10)).total).toBe(0);
    expect(preflightCalls).toBe(2);
    // An invalid config never reaches the hook.
    await app.inject({
      method: 'POST',
      url: '/v1/plans',
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: 'trt_llm:\n  build:\n    max_batch_size: -1\n',
    });
    expect(preflightCalls).toBe(2);
  });

  it('checks callback.url (http/https, at most 2 KB) and hands it to status listeners', async () => {
    const submit = (callback: unknown) =>
      app.inject({
        method: 'POST',
        url: '/v1/builds',
        headers: auth,
        payload: { config: recipe('llama-3.1-8b-fp8-h100.yaml'), callback },
      });
    for (const bad of [
      { url: 'ftp://x.example/hook' },
      { url: 'not a url' },
      { url: `https://x.example/${'a'.repeat(2100)}` },
      'https://x.example',
      { href: 'https://x.example' },
    ]) {
      const r = await submit(bad);
      expect(r.statusCode, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(r.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
    expect((await queue.store.list(null, 0, 10)).total).toBe(0);

    workers.push(
      await startWorker(
        fakeWorkerDeps(redis, prefix, {
          gpuType: 'H100',
          allocator: memoryAllocator(['0', '1', '2', '3']),
          workerName: 'w-contracts',
          heartbeatMs: 200,
          statusListeners: [listener],
        }),
      ),
    );
    const r = await submit({ url: 'https://hooks.example.com/trt?sig=abc' });
    expect(r.statusCode).toBe(202);
    const id = r.json<{ id: string }>().id;
    const mine = () => Promise.resolve(events.filter((e) => e.buildId === id));
    const seen = await waitFor(mine, (es) => es.some((e) => e.status === 'succeeded'), 20_000, 'succeeded event');
    expect(seen.map((e) => e.status)).toEqual(['running', 'succeeded']);
    expect(seen.map((e) => e.eventId)).toEqual([`${id}:running`, `${id}:succeeded`]);
    expect(seen[1]?.build).toMatchObject({ id, status: 'succeeded' });
    expect(seen.every((e) => e.callbackUrl === 'https://hooks.example.com/trt?sig=abc')).toBe(true);
  });

  it('lists registered workers with their GPUs and holders; a stopped worker vanishes', async () => {
    const r = await app.inject({ method: 'GET', url: '/v1/workers', headers: auth });
    expect(r.statusCode).toBe(200);
    const items = r.json<{
      items: { name: string; gpuType: string; gpus: { id: string; build: string | null }[]; lastHeartbeat: string }[];
    }>().items;
    const w = items.find((i) => i.name === 'w-contracts');
    expect(w).toMatchObject({
      gpuType: 'H100',
      gpus: [
        { id: '0', build: null },
        { id: '1', build: null },
        { id: '2', build: null },
        { id: '3', build: null },
      ],
    });
    expect(Number.isNaN(Date.parse(w?.lastHeartbeat ?? ''))).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/v1/workers' })).statusCode).toBe(401);
    await workers.pop()?.close(500);
    const after = (await app.inject({ method: 'GET', url: '/v1/workers', headers: auth })).json<{
      items: { name: string }[];
    }>().items;
    expect(after.map((i) => i.name)).not.toContain('w-contracts');
  });

  it('announces a cancel of a queued build done by the API (no worker running)', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/builds',
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: recipe('llama-3.1-8b-fp4-b200.yaml'),
    });
    const id = r.json<{ id: string }>().id;
    const c = await app.inject({ method: 'POST', url: `/v1/builds/${id}/cancel`, headers: auth });
    expect([200, 202]).toContain(c.statusCode);
    const seen = await waitFor(
      () => Promise.resolve(events.filter((e) => e.buildId === id)),
      (es) => es.length > 0,
      10_000,
      'cancel event',
    );
    expect(seen.map((e) => [e.status, e.callbackUrl])).toEqual([['cancelled', null]]);
  });
});
