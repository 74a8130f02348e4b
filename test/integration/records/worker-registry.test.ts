/**
 * The worker registry on real Redis: a heartbeat is one command once the worker is indexed, a
 * worker whose key expired vanishes from the list (and the index), and its next heartbeat brings it
 * back.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../../orchestrator/records/redis-keys.js';
import { WorkerRegistry } from '../../../orchestrator/records/worker-registry.js';
import type { WorkerRecord } from '../../../orchestrator/records/worker-registry.js';
import { REDIS_URL, cleanupPrefix, uniquePrefix, waitFor } from '../queue/fixtures.js';

const prefix = uniquePrefix('registry');
const keys = redisKeys(prefix);
let redis: Redis;
let registry: WorkerRegistry;

const record = (name: string, lastHeartbeat: number): WorkerRecord => ({
  name,
  host: 'h1',
  gpuType: 'H100',
  io: true,
  gpuIds: ['0', '1'],
  holders: { '0': { build: '0123456789abcdef-1', step: 'build' }, '1': null },
  lastHeartbeat,
});

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  registry = new WorkerRegistry(redis, keys);
});

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('WorkerRegistry', () => {
  it('indexes a worker at its first heartbeat and sends one command per later beat', async () => {
    let sent = 0;
    const counting = new Proxy(redis, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || !['set', 'zadd'].includes(String(prop))) return v;
        return (...args: unknown[]) => {
          sent++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const reg = new WorkerRegistry(counting, keys);
    await reg.beat(record('w-a', 1000), 60_000);
    expect(sent).toBe(2);
    await reg.beat(record('w-a', 2000), 60_000);
    expect(sent).toBe(3);
    expect(await redis.zscore(keys.workers, 'w-a')).toBe('1000'); // ordered by first heartbeat
    expect(await registry.list()).toEqual([record('w-a', 2000)]);
    await registry.remove('w-a');
    expect(await registry.list()).toEqual([]);
  });

  it('drops a worker whose heartbeat expired, and takes it back at its next beat', async () => {
    await registry.beat(record('w-b', 1000), 150);
    expect((await registry.list()).map((w) => w.name)).toEqual(['w-b']);
    await waitFor(
      () => registry.list(),
      (l) => l.length === 0,
      5000,
      'heartbeat expired',
    );
    expect(await redis.zscore(keys.workers, 'w-b')).toBeNull();
    await registry.beat(record('w-b', 3000), 60_000);
    expect(await registry.list()).toEqual([record('w-b', 3000)]);
    await registry.remove('w-b');
  });
});
