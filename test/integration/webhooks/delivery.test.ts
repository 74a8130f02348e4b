/**
 * Webhooks end to end on real Redis and BullMQ: the queue's status events become delivery jobs; a
 * receiver that verifies every signature and fails the first deliveries sees, after de-duplication
 * by event id, every event exactly once and in order per build, on the configured endpoint and on
 * each build's callback URL. Attempts show on `GET /v1/builds/:id/webhooks`; a callback URL the
 * outbound-address policy refuses is not contacted.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { outboundPolicy } from '../../../orchestrator/net/address-policy.js';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { ServiceWorker } from '../../../orchestrator/queue/start-worker.js';
import { DeliveryLog } from '../../../orchestrator/webhooks/delivery-log.js';
import { startDeliveryWorker } from '../../../orchestrator/webhooks/delivery-worker.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, verifySignature } from '../../../orchestrator/webhooks/signature.js';
import { webhookListener, webhookQueue } from '../../../orchestrator/webhooks/webhook-queue.js';
import type { DeliveryJobData } from '../../../orchestrator/webhooks/webhook-queue.js';
import type { WebhookSettings } from '../../../orchestrator/webhooks/webhook-settings.js';
import {
  REDIS_URL,
  cleanupPrefix,
  fakeWorkerDeps,
  fixturePlan,
  hangUntilAborted,
  memoryPublisher,
  scriptedExecutor,
  uniquePrefix,
  waitFor,
  waitForStatus,
} from '../queue/fixtures.js';

const SECRET = 'whsec-test-0123456789abcdef';
const TOKEN = 'tok-webhooks-0123456789';
const prefix = uniquePrefix('wh');
interface Seen {
  readonly path: string;
  readonly eventId: string;
  readonly type: string;
  readonly buildId: string;
}
const seen: Seen[] = [];
const rejectedSignatures: string[] = [];
let requests = 0;
let server: Server;
let base = '';
let redis: Redis;
let queue: BuildQueue;
let deliveries: Queue<DeliveryJobData>;
let deliveryWorker: Worker<DeliveryJobData>;
let buildWorker: ServiceWorker;
let buildWorkerClosed = false;
let app: FastifyInstance;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests += 1;
      const v = verifySignature(
        req.headers[SIGNATURE_HEADER] as string | undefined,
        body,
        SECRET,
        Math.floor(Date.now() / 1000),
      );
      if (!v.ok) {
        rejectedSignatures.push(v.reason);
        res.writeHead(400).end();
        return;
      }
      // The first three deliveries fail: they must be retried, without reordering a build's events.
      if (requests <= 3) {
        res.writeHead(500).end();
        return;
      }
      const ev = JSON.parse(body) as { id: string; type: string; data: { build: { id: string } } };
      expect(req.headers[EVENT_ID_HEADER]).toBe(ev.id);
      seen.push({ path: req.url ?? '', eventId: ev.id, type: ev.type, buildId: ev.data.build.id });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const settings: WebhookSettings = {
    urls: [`${base}/configured`],
    secret: SECRET,
    maxAttempts: 6,
    backoffMs: 20,
    timeoutMs: 5000,
  };
  const log = new DeliveryLog(redis, prefix);
  deliveries = webhookQueue(redis, prefix);
  const listener = webhookListener(deliveries, log, settings);
  queue = new BuildQueue(redis, prefix, () => Date.now(), { statusListeners: [listener] });
  // Loopback is refused by default; this test allows 127.0.0.1 so its receiver can be reached.
  deliveryWorker = startDeliveryWorker({
    connection: redis,
    prefix,
    settings,
    log,
    policy: outboundPolicy(['127.0.0.1']),
    now: () => Date.now(),
    orderPollMs: 20,
  });
  const executor = scriptedExecutor(async (step, ctx) =>
    step.argv.includes('--hang')
      ? hangUntilAborted(ctx)
      : { ok: true, result: { exitCode: 0, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 1 } },
  );
  buildWorker = await startWorker(
    fakeWorkerDeps(redis, prefix, { executor, publisher: memoryPublisher(), statusListeners: [listener] }),
  );
  app = buildApp({
    redis,
    queue,
    planConfig: () => ({ valid: false, errors: [], warnings: [], plan: null }),
    publisher: memoryPublisher(),
    tokens: [TOKEN],
    bodyLimit: 1024 * 1024,
  });
  await app.ready();
});

afterAll(async () => {
  if (!buildWorkerClosed) await buildWorker.close(1000);
  await deliveryWorker.close();
  await deliveries.close();
  await app.close();
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  await new Promise((r) => server.close(r));
});

describe('webhook delivery', () => {
  it('every event arrives once (after de-dup by id), signed, in order per build and target, despite failed deliveries', async () => {
    const a = await queue.submit(fixturePlan('wh-a'), null, null, `${base}/callback-a`);
    const b = await queue.submit(fixturePlan('wh-b'), null, null, null);
    await waitForStatus(queue.store, a.build.id, 'succeeded', 20_000);
    await waitForStatus(queue.store, b.build.id, 'succeeded', 20_000);
    const expected = [
      ['/configured', a.build.id],
      ['/callback-a', a.build.id],
      ['/configured', b.build.id],
    ] as const;
    await waitFor(
      () => Promise.resolve(seen),
      (s) =>
        expected.every(([p, id]) => s.some((x) => x.path === p && x.buildId === id && x.type === 'build.succeeded')),
      20_000,
      'succeeded events delivered',
    );

    expect(rejectedSignatures).toEqual([]);
    expect(requests).toBeGreaterThan(3);
    for (const [path, id] of expected) {
      const unique = [
        ...new Map(seen.filter((x) => x.path === path && x.buildId === id).map((x) => [x.eventId, x])).values(),
      ];
      expect(
        unique.map((x) => x.type),
        `${path} ${id}`,
      ).toEqual(['build.running', 'build.succeeded']);
      expect(unique.map((x) => x.eventId)).toEqual([`${id}:running`, `${id}:succeeded`]);
    }
    expect(seen.some((x) => x.path === '/callback-a' && x.buildId === b.build.id)).toBe(false);

    const r = await app.inject({
      method: 'GET',
      url: `/v1/builds/${a.build.id}/webhooks`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(r.statusCode).toBe(200);
    const attempts = r.json<{
      buildId: string;
      attempts: { eventId: string; outcome: string; httpStatus: number | null; attempt: number; target: string }[];
    }>();
    expect(attempts.buildId).toBe(a.build.id);
    expect(attempts.attempts.filter((x) => x.outcome === 'delivered')).toHaveLength(4);
    expect(attempts.attempts.some((x) => x.outcome === 'failed' && x.httpStatus === 500)).toBe(true);
    expect(attempts.attempts.some((x) => x.outcome === 'delivered' && x.attempt > 1)).toBe(true);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/v1/builds/0000000000000000-1/webhooks',
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).statusCode,
    ).toBe(404);
  }, 60_000);

  it('a cancel announces `cancelled`; a callback URL the address policy refuses is recorded, never contacted', async () => {
    // No worker may pick the fetch job up between submit and cancel (the cancel must find it queued).
    await buildWorker.close(1000);
    buildWorkerClosed = true;
    const before = requests;
    const c = await queue.submit(fixturePlan('wh-c', 'T4'), null, null, 'http://10.0.0.1:9/hook?token=abc');
    const cancelled = await queue.cancel(c.build.id);
    expect(cancelled.kind).toBe('cancelled');
    await waitFor(
      () => new DeliveryLog(redis, prefix).attempts(c.build.id),
      (xs) => xs.some((x) => x.outcome === 'refused') && xs.some((x) => x.outcome === 'delivered'),
      20_000,
      'cancel delivered and refusal recorded',
    );
    const attempts = await new DeliveryLog(redis, prefix).attempts(c.build.id);
    const refused = attempts.find((x) => x.outcome === 'refused');
    expect(refused?.target).toBe('http://10.0.0.1:9/hook?token=REDACTED');
    expect(refused?.error).toContain('private');
    expect(JSON.stringify(attempts)).not.toContain('token=abc');
    expect(seen.filter((x) => x.buildId === c.build.id).map((x) => x.type)).toEqual(['build.cancelled']);
    expect(requests).toBe(before + 1);
  }, 60_000);
});
