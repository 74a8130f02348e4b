/**
 * Live logs without polling: one blocking reader serves every follower of a process; 100 idle
 * followers cost no Redis commands; a line written is delivered (the test waits on the delivery).
 */
import type { Command } from 'ioredis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BuildQueue } from '../../../orchestrator/queue/build-queue.js';
import { LogFollower } from '../../../orchestrator/records/log-follower.js';
import type { StreamItem } from '../../../orchestrator/records/log-follower.js';
import { REDIS_URL, cleanupPrefix, fixturePlan, uniquePrefix } from '../queue/fixtures.js';

const prefix = uniquePrefix('follow');
let redis: Redis;
let main: Redis;
let blocking: Redis;
let bq: BuildQueue;
let follower: LogFollower;
let sent = 0;

/** Counts the commands a connection sends. */
function counted(r: Redis): Redis {
  const send = r.sendCommand.bind(r);
  r.sendCommand = (cmd: Command, ...rest: unknown[]) => {
    sent += 1;
    return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
  };
  return r;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  main = counted(new Redis(REDIS_URL));
  blocking = counted(new Redis(REDIS_URL));
  bq = new BuildQueue(redis, prefix, () => Date.now());
  follower = new LogFollower(main, blocking, bq.store.keys);
});

afterAll(async () => {
  await follower.close();
  await bq.close();
  await cleanupPrefix(redis, prefix);
  main.disconnect();
  blocking.disconnect();
  redis.disconnect();
});

it('serves 100 idle followers with one blocked read and delivers new lines as they are written', async () => {
  const ids = await Promise.all(
    Array.from(
      { length: 100 },
      async (_, i) => (await bq.store.claim(fixturePlan(`follow-${i}`, 'T4'), Date.now(), null)).id,
    ),
  );
  const got = new Map<string, StreamItem[]>();
  let deliver: (() => void) | null = null;
  const stops = ids.map((id) =>
    follower.follow(id, 0, (items) => {
      got.set(id, [...(got.get(id) ?? []), ...items]);
      deliver?.();
    }),
  );
  // Once the reader blocks on all 100 streams, idling costs nothing: measure a window.
  const target = ids[42] ?? '';
  const first = new Promise<void>((r) => (deliver = r));
  await bq.store.logBatch(target, [{ ts: 1, step: 'convert', stream: 'stdout', line: 'wakes the reader' }]);
  await first;
  const before = sent;
  await new Promise((r) => setTimeout(r, 500)); // a measuring window, not a wait for an event
  expect(sent - before).toBe(0);
  expect(got.get(target)?.map((i) => (i.kind === 'log' ? i.entry.line : i.kind))).toEqual(['wakes the reader']);

  // A finished build's stream ends with an `end` item.
  const ended = new Promise<void>((r) => (deliver = () => got.get(ids[0] ?? '')?.some((i) => i.kind === 'end') && r()));
  await bq.store.setStatus(ids[0] ?? '', 'cancelled', Date.now());
  await ended;
  expect(got.get(ids[0] ?? '')?.at(-1)).toMatchObject({ kind: 'end', status: 'cancelled' });
  stops.forEach((stop) => stop());
});
