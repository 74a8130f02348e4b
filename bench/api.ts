/**
 * `GET /v1/builds/:id` under 200 concurrent clients (autocannon), beside a trivial fastify route in
 * the same run and process. Prints p99 latency and requests/s of both and the ratios.
 * Usage: `npx tsx bench/api.ts [seconds] [connections]` (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../orchestrator/api/build-app.js';
import { BuildQueue } from '../orchestrator/queue/build-queue.js';
import { cleanupPrefix, fixturePlan, memoryPublisher } from '../test/integration/queue/fixtures.js';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 200);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TOKEN = 'bench-token-0123456789abcdef';

interface Figures {
  readonly rps: number;
  readonly p99: number;
  readonly p50: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, errors: r.errors, non2xx: r.non2xx };
}

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = `bench-api-${randomUUID().slice(0, 8)}`;
const queue = new BuildQueue(redis, prefix, () => Date.now());
const { build } = await queue.submit(fixturePlan(`bench-api-${prefix}`, 'L4'), null);
const app = buildApp({
  redis,
  queue,
  planConfig: () => ({ valid: false, errors: [], warnings: [], plan: null }),
  publisher: memoryPublisher(),
  tokens: [TOKEN],
  bodyLimit: 1 << 20,
});
const trivial = Fastify({ logger: false });
trivial.get('/trivial', () => ({ ok: true }));
const svcUrl = await app.listen({ host: '127.0.0.1', port: 0 });
const trivialUrl = await trivial.listen({ host: '127.0.0.1', port: 0 });

const base = await load(`${trivialUrl}/trivial`);
const svc = await load(`${svcUrl}/v1/builds/${build.id}`, { authorization: `Bearer ${TOKEN}` });

const f = (x: number): string => x.toFixed(1);
console.log(`${CONNECTIONS} connections, ${SECONDS} s each, same process, redis ${REDIS_URL}`);
console.log(
  `trivial fastify route   : ${f(base.rps)} req/s, p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms, errors ${base.errors}, non-2xx ${base.non2xx}`,
);
console.log(
  `GET /v1/builds/:id      : ${f(svc.rps)} req/s, p50 ${f(svc.p50)} ms, p99 ${f(svc.p99)} ms, errors ${svc.errors}, non-2xx ${svc.non2xx}`,
);
console.log(
  `ratio req/s (service ÷ trivial): ${(svc.rps / base.rps).toFixed(2)}; p99 (service ÷ trivial): ${(svc.p99 / Math.max(base.p99, 0.001)).toFixed(2)}`,
);

await app.close();
await trivial.close();
await queue.close();
await cleanupPrefix(redis, prefix);
redis.disconnect();
