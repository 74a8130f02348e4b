/**
 * `trt-api`: the REST service. Reads the environment once (see README "Service configuration"),
 * serves until SIGTERM, then stops accepting requests and closes its connections.
 */
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../api/build-app.js';
import { planConfigText } from '../plan/plan-config.js';
import { BuildQueue } from '../queue/build-queue.js';
import { preflightHookFromEnv } from '../storage/facts/preflight-from-env.js';
import { redactConfig } from '../storage/publish/redact-config.js';
import { configOrExit, connectRedis, makeLogger, onShutdownSignal, openArtifactStore } from './service-runtime.js';
import { webhooksOrExit } from '../webhooks/webhooks-from-env.js';
import { publishedIn } from './store-publisher.js';

const config = configOrExit('api');
const log = makeLogger(config, 'trt-api');
const redis = connectRedis(config, 'api');
const store = openArtifactStore(config);
const queue = new BuildQueue(redis, config.REDIS_PREFIX, () => Date.now(), {
  logCap: config.LOG_CAP_LINES,
  retentionMs: config.RETENTION_DAYS * 24 * 3600 * 1000,
  log,
});
// The sweep (BuildQueue.sweep): builds whose submit failed between the record and the flow get
// their flow, live builds whose flow ended in a failed job are marked failed, and builds that no
// registered worker can run fail after GPU_WAIT_LIMIT_MS.
let sweeping = false;
const sweeper = setInterval(
  () => {
    if (sweeping) return;
    sweeping = true;
    queue
      .sweep({ unservedLimitMs: config.GPU_WAIT_LIMIT_MS })
      .then(
        (r) => {
          if (r.enqueued.length > 0) log.warn({ ids: r.enqueued }, 'sweep re-added missing build flows');
          if (r.settled.length > 0)
            log.warn({ ids: r.settled }, 'sweep failed builds whose jobs had failed unrecorded');
          if (r.unserved.length > 0) log.info({ ids: r.unserved }, 'sweep failed builds no registered worker can run');
        },
        (err: unknown) => log.warn({ err: String(err) }, 'sweep failed'),
      )
      .finally(() => (sweeping = false));
  },
  Math.min(60_000, Math.max(1000, config.GPU_WAIT_LIMIT_MS / 4)),
);
sweeper.unref();
const webhooks = webhooksOrExit(process.env, redis, config.REDIS_PREFIX, 'api', (msg) => log.warn(msg));
const app = buildApp({
  statusListeners: webhooks.listeners,
  redis,
  queue,
  planConfig: (text) => planConfigText(text),
  preflight: preflightHookFromEnv({ ...process.env, HF_ENDPOINT: config.HF_ENDPOINT }, config.secrets),
  publisher: { published: (planHash) => publishedIn(store, planHash) },
  readArtifact: (key) => store.getBytes(key),
  configForRecord: (text) => {
    try {
      return redactConfig(parseYaml(text, { maxAliasCount: 100 }) as unknown, {
        secretValues: Object.values(config.secrets),
      });
    } catch {
      return null;
    }
  },
  tokens: config.API_TOKENS,
  bodyLimit: config.BODY_LIMIT_BYTES,
  logger: log,
});

onShutdownSignal(log, async () => {
  clearInterval(sweeper);
  await app.close();
  await queue.close();
  await webhooks.close();
  await redis.quit();
});
await app.listen({ host: config.HOST, port: config.PORT });
