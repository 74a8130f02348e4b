/**
 * `trt-worker`: a build host. Serves `build-<GPU type>` (GPUs from nvidia-smi, or GPU_TYPE and
 * GPU_IDS) and/or the `io` fetch queue (WORKER_ROLES). SIGTERM: stop taking jobs, let running
 * steps finish for SHUTDOWN_GRACE_MS, then hand them back to the queue.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { decideOutcome } from '../build/decide-outcome.js';
import { detectGpus } from '../exec/detect-gpus.js';
import { createDockerExecutor } from '../exec/docker-executor.js';
import { createDockerFence } from '../exec/docker-fence.js';
import { createGpuAllocator } from '../exec/gpu-allocator.js';
import { createLocalExecutor } from '../exec/local-executor.js';
import type { GpuType } from '../gpu/catalog.js';
import { resolveGpuInventory } from '../gpu/resolve-inventory.js';
import { DEFAULT_WORKER_TUNING } from '../queue/job-catalog.js';
import { startWorker } from '../queue/start-worker.js';
import { CheckpointCache } from '../storage/cache/checkpoint-cache.js';
import { fetchPlanItems } from '../storage/fetch-plan-items.js';
import { createDiskCheck } from '../storage/facts/disk-check.js';
import { createFactsFetcher } from '../storage/facts/facts-fetcher.js';
import { sourcesFromEnv } from '../storage/sources/sources-from-env.js';
import { stepEnvironment } from './step-environment.js';
import { configOrExit, connectRedis, makeLogger, onShutdownSignal, openArtifactStore } from './service-runtime.js';
import { webhooksOrExit } from '../webhooks/webhooks-from-env.js';
import { storePublisher } from './store-publisher.js';

const config = configOrExit('worker');
const log = makeLogger(config, 'trt-worker');
const roles = new Set(config.WORKER_ROLES);

let gpuType: GpuType | null = null;
let deviceIds: readonly string[] = [];
if (roles.has('build')) {
  const detection = await detectGpus();
  const inv = resolveGpuInventory({
    detected: detection.available ? detection.devices : null,
    gpuType: config.GPU_TYPE ?? null,
    deviceIds: config.GPU_IDS ?? null,
  });
  if (!inv.ok) {
    const why = detection.available ? '' : ` (nvidia-smi: ${detection.reason})`;
    process.stderr.write(
      `trt-worker: cannot determine the GPUs to serve${why}\n${inv.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    process.exit(2);
  }
  gpuType = inv.inventory.gpuType;
  deviceIds = inv.inventory.deviceIds;
}

const redis = connectRedis(config, 'worker');
const store = openArtifactStore(config);
const secretValues = Object.values(config.secrets);
const cache = new CheckpointCache({ dir: config.CACHE_DIR, maxBytes: config.CACHE_MAX_BYTES });
// Step processes see only what the tools need, never the worker's own credentials.
const stepEnv = stepEnvironment(process.env, config.STEP_ENV_PASSTHROUGH);
const sources = sourcesFromEnv({ ...process.env, HF_ENDPOINT: config.HF_ENDPOINT });
const webhooks = webhooksOrExit(process.env, redis, config.REDIS_PREFIX, 'worker', (msg) => log.warn(msg));
const worker = await startWorker({
  statusListeners: webhooks.listeners,
  connection: redis,
  prefix: config.REDIS_PREFIX,
  gpuType,
  io: roles.has('io'),
  executor:
    config.EXECUTOR === 'docker'
      ? createDockerExecutor({ dockerBin: config.DOCKER_BIN, env: stepEnv })
      : createLocalExecutor({ env: stepEnv }),
  allocator: createGpuAllocator(deviceIds),
  ...(config.EXECUTOR === 'docker' ? { fence: createDockerFence({ dockerBin: config.DOCKER_BIN, env: stepEnv }) } : {}),
  host: hostname(),
  retentionMs: config.RETENTION_DAYS * 24 * 3600 * 1000,
  gpuWaitLimitMs: config.GPU_WAIT_LIMIT_MS,
  fetchItems: (items, ctx) => fetchPlanItems(items, { ...ctx, cache, sources }),
  // Free disk against checkpoint + converted checkpoint + engine, before anything is downloaded.
  diskCheck: createDiskCheck(createFactsFetcher({ sources, secrets: config.secrets })),
  publisher: storePublisher(store, secretValues, () => Date.now()),
  decideOutcome: (failure, attempt) => decideOutcome(failure, attempt),
  secrets: config.secrets,
  workDir: config.WORK_DIR,
  now: () => Date.now(),
  newRunId: () => randomUUID().slice(0, 8),
  log,
  workerName: `${hostname()}-${process.pid}`,
  tuning: {
    lockDuration: config.LOCK_DURATION_MS,
    stalledInterval: config.STALLED_INTERVAL_MS,
    maxStalledCount: DEFAULT_WORKER_TUNING.maxStalledCount,
  },
  ...(config.WORKER_CONCURRENCY !== undefined ? { concurrency: config.WORKER_CONCURRENCY } : {}),
  ioConcurrency: config.IO_CONCURRENCY,
  logCap: config.LOG_CAP_LINES,
});

onShutdownSignal(log, async () => {
  await worker.close(config.SHUTDOWN_GRACE_MS);
  await webhooks.close();
  await redis.quit();
});
