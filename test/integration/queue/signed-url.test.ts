/**
 * A presigned REMOTE_URL never reaches a stored record: the build record, job data, logs and
 * metrics hold it redacted; the fetch gets the signed URL from a per-build key with a TTL that is
 * gone once the build ends. After the build, every key under the prefix is read and grepped.
 */
import { expect, it } from 'vitest';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import { queueHarness, fakeWorkerDeps, fetchedItems, fixturePlan, waitForStatus } from './fixtures.js';

const SIGNATURE = 'f00dfacecafe1234deadbeef5678abcd';
const SIGNED = `https://bucket.s3.amazonaws.com/ckpt.tar?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=${SIGNATURE}`;
const USERINFO = 'https://alice:pa55w0rd-planted@mirror.example.com/ckpt.tar';
const h = queueHarness('signed', 1000);

/** Every value under the h.prefix, whatever its type. */
async function dumpPrefix(): Promise<string> {
  let cursor = '0';
  let out = '';
  do {
    const [next, keys] = await h.redis.scan(cursor, 'MATCH', `${h.prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await h.redis.type(key);
      const v =
        type === 'string'
          ? await h.redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await h.redis.hgetall(key))
            : type === 'list'
              ? JSON.stringify(await h.redis.lrange(key, 0, -1))
              : type === 'zset'
                ? JSON.stringify(await h.redis.zrange(key, '0', '-1'))
                : type === 'set'
                  ? JSON.stringify(await h.redis.smembers(key))
                  : type === 'stream'
                    ? JSON.stringify(await h.redis.xrange(key, '-', '+'))
                    : `unknown type ${type}`;
      out += `${key} ${v ?? ''}\n`;
    }
  } while (cursor !== '0');
  return out;
}

it('keeps signatures and userinfo out of Redis while the fetch still gets the signed URLs', async () => {
  const base = fixturePlan('signed-url', 'H100');
  const fetchStep = base.steps[0];
  if (fetchStep?.kind !== 'fetch') throw new Error('fixture plan starts with fetch');
  const remote = (repo: string): FetchItem => ({
    role: 'checkpoint',
    name: null,
    source: 'REMOTE_URL',
    repo,
    revision: null,
    repoType: 'model',
    secretName: null,
    dest: '/workspace/checkpoint',
  });
  const plan = {
    ...base,
    steps: [
      {
        ...fetchStep,
        items: [
          remote(SIGNED),
          { ...remote(USERINFO), role: 'calibration_dataset' as const, dest: '/workspace/calib' },
        ],
      },
      ...base.steps.slice(1),
    ],
  };
  const seen: string[] = [];
  h.worker = await startWorker(
    fakeWorkerDeps(h.redis, h.prefix, {
      fetchItems: (items) => {
        seen.push(...items.map((i) => i.repo));
        return fetchedItems(items);
      },
    }),
  );
  const sub = await h.bq.submit(plan, null, { model: { url: SIGNED } });
  expect(await h.redis.get(h.bq.store.keys.fetchSecret(sub.build.id))).toContain(SIGNATURE);
  const done = await waitForStatus(h.bq.store, sub.build.id, 'succeeded', 20_000);
  expect(done?.status).toBe('succeeded');
  expect(seen).toEqual([SIGNED, USERINFO]);
  const all = await dumpPrefix();
  expect(all).toContain(sub.build.id);
  expect(all).toContain('X-Amz-Signature=REDACTED');
  for (const planted of [SIGNATURE, 'AKIAEXAMPLE', 'pa55w0rd-planted', 'alice:']) expect(all).not.toContain(planted);
  expect(await h.redis.exists(h.bq.store.keys.fetchSecret(sub.build.id))).toBe(0);
});
