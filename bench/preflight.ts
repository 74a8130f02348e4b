/**
 * Added latency of `POST /v1/plans` with pre-flight (cached and uncached) against without, through
 * `inject()` on the fake hub serving the real config files (loopback: a real hub adds its network
 * round trips — about four per uncached read — on top). Prints p50/p90 per variant and the deltas.
 * Usage: `npx tsx bench/preflight.ts [iterations]` (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { buildApp } from '../orchestrator/api/build-app.js';
import type { PreflightHook } from '../orchestrator/preflight/hook.js';
import { planConfigText } from '../orchestrator/plan/plan-config.js';
import { BuildQueue } from '../orchestrator/queue/build-queue.js';
import { createFactsFetcher } from '../orchestrator/storage/facts/facts-fetcher.js';
import { createPreflightHook } from '../orchestrator/storage/facts/preflight-hook.js';
import { hubSources, startPreflightHub } from '../test/integration/preflight/hub-fixture.js';
import { cleanupPrefix, memoryPublisher } from '../test/integration/queue/fixtures.js';

const N = Number(process.argv[2] ?? 200);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TOKEN = 'bench-token-preflight-0123456789';
const YAML = readFileSync(new URL('../recipes/llama-3.1-8b-fp8-h100.yaml', import.meta.url), 'utf8');

const hub = await startPreflightHub();
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = `bench-preflight-${process.pid}`;
const queue = new BuildQueue(redis, prefix, () => Date.now());
const sources = hubSources(hub);
const cachedHook = createPreflightHook(createFactsFetcher({ sources, secrets: {} }));
// Uncached: a fresh fetcher (empty cache) for every request.
const uncachedHook: PreflightHook = (o, t) => createPreflightHook(createFactsFetcher({ sources, secrets: {} }))(o, t);

function appWith(preflight: PreflightHook | undefined) {
  return buildApp({
    redis,
    queue,
    planConfig: (t) => planConfigText(t),
    publisher: memoryPublisher(),
    tokens: [TOKEN],
    bodyLimit: 1 << 20,
    ...(preflight ? { preflight } : {}),
  });
}

async function measure(
  name: string,
  preflight: PreflightHook | undefined,
): Promise<{ name: string; p50: number; p90: number }> {
  const app = appWith(preflight);
  await app.ready();
  const times: number[] = [];
  for (let i = 0; i < N + 10; i += 1) {
    const t0 = process.hrtime.bigint();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/plans',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
      payload: YAML,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.statusCode !== 200) throw new Error(`${name}: HTTP ${r.statusCode} ${r.body.slice(0, 300)}`);
    if (i >= 10) times.push(ms);
  }
  await app.close();
  times.sort((a, b) => a - b);
  const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  return { name, p50: q(0.5), p90: q(0.9) };
}

try {
  const base = await measure('without pre-flight', undefined);
  const rows = [
    base,
    await measure('pre-flight, cached', cachedHook),
    await measure('pre-flight, uncached', uncachedHook),
  ];
  console.log(`POST /v1/plans, ${N} sequential requests each (recipe llama-3.1-8b-fp8-h100, fake hub on loopback)`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(22)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p90 ${r.p90.toFixed(2).padStart(7)} ms  added p50 ${(r.p50 - base.p50).toFixed(2).padStart(6)} ms`,
    );
  }
} finally {
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  await hub.close();
}
