/**
 * The worker checks free disk before it fetches: a build that would not fit fails WORKER_DISK_FULL
 * with the check's message and nothing is downloaded; one that fits is fetched and built.
 */
import { expect, it } from 'vitest';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import type { FetchItems } from '../../../orchestrator/queue/ports.js';
import { fakeWorkerDeps, fetchedItems, fixturePlan, queueHarness, waitForStatus } from './fixtures.js';

const h = queueHarness('disk');

it('fails a build that does not fit before downloading, and builds one that fits', async () => {
  const fetched: string[] = [];
  const fetchItems: FetchItems = (items) => {
    fetched.push(...items.map((i) => i.repo));
    return fetchedItems(items);
  };
  const tooBig = fixturePlan('disk-too-big', 'H100');
  const fits = fixturePlan('disk-fits', 'H100');
  const checked: string[] = [];
  h.worker = await startWorker(
    fakeWorkerDeps(h.redis, h.prefix, {
      fetchItems,
      diskCheck: (plan, workspaceDir) => {
        checked.push(workspaceDir);
        return Promise.resolve(
          plan.planHash === tooBig.planHash
            ? 'the build needs about 300.0 GB of disk but the worker has 12.0 GB free'
            : null,
        );
      },
    }),
  );
  const a = await h.bq.submit(tooBig, null, null);
  const failed = await waitForStatus(h.bq.store, a.build.id, ['failed', 'succeeded'], 20_000);
  expect(failed?.status).toBe('failed');
  expect(failed?.error).toMatchObject({
    code: 'WORKER_DISK_FULL',
    message: 'the build needs about 300.0 GB of disk but the worker has 12.0 GB free',
  });
  expect(failed?.steps.find((s) => s.kind === 'fetch')?.attempts).toBe(1);
  expect(fetched).toEqual([]);

  const b = await h.bq.submit(fits, null, null);
  const done = await waitForStatus(h.bq.store, b.build.id, ['failed', 'succeeded'], 20_000);
  expect(done?.status).toBe('succeeded');
  expect(fetched.length).toBeGreaterThan(0);
  expect(checked.length).toBe(2);
});
