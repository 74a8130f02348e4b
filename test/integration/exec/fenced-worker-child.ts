/**
 * A real worker process (startWorker) for the fencing end-to-end tests, run with `node --import tsx`:
 * the docker executor over the fake docker, the docker fence, a real allocator. Its container step
 * writes one engine rank and then hangs (FAKE_DOCKER_HANG_AFTER_FILES=1), like a long build.
 * Env: REDIS_URL, PREFIX, FAKE_DOCKER_STATE, WORK_DIR, HOST_LABEL, WORKER_NAME. Prints `ready`.
 */
import { Redis } from 'ioredis';
import { createDockerExecutor } from '../../../orchestrator/exec/docker-executor.js';
import { createDockerFence } from '../../../orchestrator/exec/docker-fence.js';
import { createGpuAllocator } from '../../../orchestrator/exec/gpu-allocator.js';
import { startWorker } from '../../../orchestrator/queue/start-worker.js';
import { fakeWorkerDeps } from '../queue/fixtures.js';
import { FAKE_BIN } from './helpers.js';
import { writeCheckpoint } from './fenced-worker-plan.js';

const env = process.env;
const redis = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const dockerEnv = { ...env, PATH: `${FAKE_BIN}:${env['PATH'] ?? ''}`, FAKE_DOCKER_HANG_AFTER_FILES: '1' } as Record<
  string,
  string
>;
await startWorker(
  fakeWorkerDeps(redis, env['PREFIX'] ?? 'missing', {
    gpuType: 'H100',
    executor: createDockerExecutor({ env: dockerEnv, forceKillAfterMs: 1_000 }),
    fence: createDockerFence({ env: dockerEnv }),
    host: env['HOST_LABEL'] ?? 'host-e2e',
    allocator: createGpuAllocator(['0', '1']),
    fetchItems: writeCheckpoint,
    workDir: env['WORK_DIR'] ?? '/nonexistent',
    workerName: env['WORKER_NAME'] ?? 'doomed',
    newRunId: () => `${env['WORKER_NAME'] ?? 'doomed'}-${Date.now()}`,
    tuning: { lockDuration: 1500, stalledInterval: 500, maxStalledCount: 3 },
  }),
);
process.stdout.write('ready\n');
