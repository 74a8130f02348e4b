/**
 * A worker process for the SIGKILL test (run with `node --import tsx`): serves `build-<GPU_TYPE>`
 * and `io` with fakes; MODE=hang makes the `build` step hang until aborted, MODE=hang-fetch the
 * fetch; MAX_STALLED sets maxStalledCount (default 2). Prints `ready`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { GpuType } from '../../../orchestrator/gpu/catalog.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import { storePublisher } from '../../../orchestrator/main/store-publisher.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { countingStore, engineScript, fakeWorkerDeps, hangUntilAborted, scriptedExecutor } from './fixtures.js';

const env = process.env;
const redis = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const hang = env['MODE'] === 'hang';
const executor = scriptedExecutor((step, ctx, call) =>
  hang && step.id === 'build' ? hangUntilAborted(ctx) : engineScript(step, ctx, call),
);
const storeDir = env['STORE_DIR'] ?? '/nonexistent';
const store = countingStore(
  artifactStoreFromUrl(pathToFileURL(join(storeDir, 'store')).href),
  join(storeDir, 'writes.log'),
);
const hangFetch = env['MODE'] === 'hang-fetch';
const worker = await startWorker(
  fakeWorkerDeps(redis, env['PREFIX'] ?? 'missing', {
    ...(hangFetch
      ? {
          fetchItems: (_items, ctx) =>
            new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
        }
      : {}),
    gpuType: (env['GPU_TYPE'] ?? 'H100') as GpuType,
    executor,
    publisher: storePublisher(store, [], () => Date.now()),
    workDir: join(storeDir, 'work'),
    workerName: env['WORKER_NAME'] ?? 'child',
    tuning: { lockDuration: 1500, stalledInterval: 500, maxStalledCount: Number(env['MAX_STALLED'] ?? '2') },
  }),
);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close(5000).then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
