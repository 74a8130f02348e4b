/**
 * Queue throughput: N builds (default 1,000) with instant fake steps through the real service path
 * (flow of fetch on `io` → GPU steps on `build-<GPU>` → publish on `io`, Redis build records,
 * logs), beside a bare BullMQ no-op queue in the same run, same Redis and same concurrency. Prints
 * builds/s and enqueue-to-first-step latency p50/p99 for both, and the throughput ratio (service /
 * bare); a bare three-job flow of the same shape is measured too, to show how much of the gap is
 * the flow shape itself.
 * Also prints Redis commands per build and per idle live-log (SSE) follower per second.
 * Usage: `npx tsx bench/queue.ts [builds] [concurrency]` (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BuildQueue } from '../orchestrator/queue/build-queue.js';
import { DEFAULT_WORKER_TUNING } from '../orchestrator/queue/job-catalog.js';
import { LogFollower } from '../orchestrator/records/log-follower.js';
import { silentLog } from '../orchestrator/records/service-log.js';
import { startWorker } from '../orchestrator/queue/start-worker.js';
import {
  cleanupPrefix,
  fakeWorkerDeps,
  fixturePlan,
  memoryAllocator,
  memoryPublisher,
  scriptedExecutor,
} from '../test/integration/queue/fixtures.js';

const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const CHUNK = 50;

interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** Resolves when `count` reaches `n`. */
function counter(n: number): { hit: () => void; done: Promise<void> } {
  let c = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { hit: () => ++c === n && resolve(), done };
}

async function inChunks(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += CHUNK)
    await Promise.all(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => fn(i + j)));
}

async function bare(redis: Redis): Promise<Figures> {
  const prefix = `bench-bare-${randomUUID().slice(0, 8)}`;
  const enq = new Map<string, number>();
  const lat: number[] = [];
  const all = counter(N);
  const queue = new Queue('bare', { connection: redis, prefix });
  const worker = new Worker<{ i: number }>(
    'bare',
    (job) => {
      lat.push(performance.now() - (enq.get(String(job.data.i)) ?? NaN));
      return Promise.resolve(null);
    },
    { connection: redis, prefix, concurrency: CONCURRENCY },
  );
  worker.on('completed', () => all.hit());
  await worker.waitUntilReady();
  const t0 = performance.now();
  await inChunks(N, async (i) => {
    enq.set(String(i), performance.now());
    await queue.add('noop', { i }, { jobId: `j${i}` });
  });
  await all.done;
  const secs = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.close();
  await cleanupPrefix(redis, prefix);
  return { perSecond: N / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

/**
 * A bare BullMQ flow per build with the service's shape (no-op fetch on `io` → no-op GPU job on
 * `gpu` → no-op publish on `io`): BullMQ's own cost of the three-stage flow.
 */
async function bareFlow(redis: Redis): Promise<Figures> {
  const prefix = `bench-flow-${randomUUID().slice(0, 8)}`;
  const enq = new Map<string, number>();
  const lat: number[] = [];
  const all = counter(N);
  const flow = new FlowProducer({ connection: redis, prefix });
  const io = new Worker<{ i: number }>(
    'io',
    (job) => {
      if (job.name === 'fetch') lat.push(performance.now() - (enq.get(String(job.data.i)) ?? NaN));
      return Promise.resolve(null);
    },
    { connection: redis, prefix, concurrency: CONCURRENCY },
  );
  const gpu = new Worker('gpu', () => Promise.resolve(null), { connection: redis, prefix, concurrency: CONCURRENCY });
  io.on('completed', (job) => job.name === 'publish' && all.hit());
  await Promise.all([io.waitUntilReady(), gpu.waitUntilReady()]);
  const t0 = performance.now();
  await inChunks(N, async (i) => {
    enq.set(String(i), performance.now());
    const fetch = { name: 'fetch', queueName: 'io', data: { i }, opts: { jobId: `f${i}`, failParentOnFailure: true } };
    const build = {
      name: 'build',
      queueName: 'gpu',
      data: { i },
      opts: { jobId: `b${i}`, failParentOnFailure: true },
      children: [fetch],
    };
    await flow.add({ name: 'publish', queueName: 'io', data: { i }, opts: { jobId: `p${i}` }, children: [build] });
  });
  await all.done;
  const secs = (performance.now() - t0) / 1000;
  await Promise.all([io.close(), gpu.close(), flow.close()]);
  await cleanupPrefix(redis, prefix);
  return { perSecond: N / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function service(redis: Redis): Promise<Figures & { firstGpuStepP50: number }> {
  const prefix = `bench-svc-${randomUUID().slice(0, 8)}`;
  const bq = new BuildQueue(redis, prefix, () => Date.now());
  const enq = new Map<string, number>();
  const firstStep: number[] = [];
  const firstGpu: number[] = [];
  const all = counter(N);
  const idOf = new Map<string, string>();
  const executor = scriptedExecutor((step, ctx) => {
    if (step.kind === 'convert')
      firstGpu.push(performance.now() - (enq.get(idOf.get(ctx.runName.split('-').slice(1, 3).join('-')) ?? '') ?? NaN));
    ctx.onLine('[1/1] done', 'stdout');
    return Promise.resolve({
      ok: true,
      result: { exitCode: 0, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 0 },
    });
  });
  const deps = fakeWorkerDeps(redis, prefix, {
    gpuType: 'H100',
    executor,
    allocator: memoryAllocator(Array.from({ length: CONCURRENCY }, (_, i) => String(i))),
    publisher: memoryPublisher(),
    concurrency: CONCURRENCY,
    ioConcurrency: CONCURRENCY,
    tuning: DEFAULT_WORKER_TUNING, // the service's lock/stall settings, not the tests' short ones
    log: silentLog,
    fetchItems: (items, ctx) => {
      const id = ctx.workspaceDir.split('/').at(-1) ?? '';
      firstStep.push(performance.now() - (enq.get(idOf.get(id) ?? '') ?? NaN));
      return Promise.resolve(
        items.map((item) => ({
          item,
          fromCache: true,
          resolved: { source: item.source, repo: item.repo, requestedRevision: null, resolvedRevision: 'r', files: [] },
        })),
      );
    },
  });
  const worker = await startWorker(deps);
  worker.buildWorker?.on('completed', () => all.hit());
  const plans = Array.from({ length: N }, (_, i) => fixturePlan(`bench-${prefix}-${i}`, 'H100'));
  const t0 = performance.now();
  await inChunks(N, async (i) => {
    const key = String(i);
    enq.set(key, performance.now());
    const { build } = await bq.submit(plans[i] as (typeof plans)[number], null);
    idOf.set(build.id, key);
  });
  await all.done;
  const secs = (performance.now() - t0) / 1000;
  await worker.close(1000);
  await bq.close();
  await cleanupPrefix(redis, prefix);
  return { perSecond: N / secs, p50: pct(firstStep, 50), p99: pct(firstStep, 99), firstGpuStepP50: pct(firstGpu, 50) };
}

/**
 * Redis commands per idle live-log follower per second: FOLLOWERS SSE-style followers of queued
 * builds (one blocking reader for all of them), counted over IDLE_MS once they are all attached.
 */
const FOLLOWERS = 100;
const IDLE_MS = 2000;
async function idleFollowers(redis: Redis): Promise<number> {
  const prefix = `bench-sse-${randomUUID().slice(0, 8)}`;
  const bq = new BuildQueue(redis, prefix, () => Date.now());
  const blocking = redis.duplicate();
  const follower = new LogFollower(redis, blocking, bq.store.keys);
  const ids = await Promise.all(
    Array.from(
      { length: FOLLOWERS },
      async (_, i) => (await bq.store.claim(fixturePlan(`sse-${prefix}-${i}`, 'H100'), Date.now(), null)).id,
    ),
  );
  const stops = ids.map((id) => follower.follow(id, 0, () => undefined));
  // Let the reader pick up the whole set, then count what idling costs.
  await new Promise((r) => setTimeout(r, 200));
  const before = sent;
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const perFollowerPerSecond = (sent - before) / FOLLOWERS / (IDLE_MS / 1000);
  stops.forEach((stop) => stop());
  await follower.close();
  blocking.disconnect();
  await bq.close();
  await cleanupPrefix(redis, prefix);
  return perFollowerPerSecond;
}

/**
 * Commands this process sends to Redis (every ioredis connection, BullMQ's duplicates included),
 * counted client-side: each command of a pipeline or MULTI counts, a Lua script counts once.
 */
let sent = 0;
const proto = Redis.prototype as unknown as { sendCommand: (...a: unknown[]) => unknown };
const sendCommand = proto.sendCommand;
proto.sendCommand = function (this: unknown, ...a: unknown[]): unknown {
  sent++;
  return sendCommand.apply(this, a);
};
/** Also counts this process's CPU time (user + system) per job. */
async function measured<T extends Figures>(run: () => Promise<T>): Promise<T & { commands: number; cpuMs: number }> {
  const before = sent;
  const cpu0 = process.cpuUsage();
  const r = await run();
  const cpu = process.cpuUsage(cpu0);
  return { ...r, commands: (sent - before) / N, cpuMs: (cpu.user + cpu.system) / 1000 / N };
}

const redis = new Redis(REDIS_URL, {
  maxRetriesPerRequest: null,
  enableAutoPipelining: process.env['AUTOPIPELINE'] === '1',
});
const only = new Set((process.env['BENCH_ONLY'] ?? 'bare,flow,service').split(','));
const skipped = { perSecond: NaN, p50: NaN, p99: NaN, commands: NaN, cpuMs: NaN };
const b = only.has('bare') ? await measured(() => bare(redis)) : skipped;
const fl = only.has('flow') ? await measured(() => bareFlow(redis)) : skipped;
const s = only.has('service') ? await measured(() => service(redis)) : { ...skipped, firstGpuStepP50: NaN };
const sse = only.has('sse') || only.has('service') ? await idleFollowers(redis) : NaN;
const f = (x: number): string => x.toFixed(1);
const load = (await import('node:os'))
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(`jobs: ${N}, concurrency: ${CONCURRENCY}, redis: ${REDIS_URL}, load average ${load}`);
console.log(
  `bare BullMQ no-op : ${f(b.perSecond)} jobs/s,   enqueue→start p50 ${f(b.p50)} ms, p99 ${f(b.p99)} ms; ${f(b.commands)} Redis commands/job, ${b.cpuMs.toFixed(2)} ms CPU/job`,
);
console.log(
  `bare 3-stage flow : ${f(fl.perSecond)} flows/s,  enqueue→fetch start p50 ${f(fl.p50)} ms, p99 ${f(fl.p99)} ms; ${f(fl.commands)} Redis commands/flow, ${fl.cpuMs.toFixed(2)} ms CPU/flow`,
);
console.log(
  `build service     : ${f(s.perSecond)} builds/s, enqueue→first step p50 ${f(s.p50)} ms, p99 ${f(s.p99)} ms (first GPU step p50 ${f(s.firstGpuStepP50)} ms); ${f(s.commands)} Redis commands/build, ${s.cpuMs.toFixed(2)} ms CPU/build`,
);
console.log(
  `ratio (service builds/s ÷ bare jobs/s): ${(s.perSecond / b.perSecond).toFixed(2)}; (service ÷ bare flow): ${(s.perSecond / fl.perSecond).toFixed(2)}`,
);
console.log(
  `live logs         : ${sse.toFixed(3)} Redis commands per idle SSE follower per second (${FOLLOWERS} followers, one blocking XREAD per API process)`,
);
redis.disconnect();
