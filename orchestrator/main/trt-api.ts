/**
 * `trt-api`: the REST service. Reads the environment once (see README "Service configuration"),
 * serves until SIGTERM, then stops accepting requests and closes its connections.
 */
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../api/build-app.js';
import { planConfigText } from '../plan/plan-config.js';
import { BuildQueue } from '../queue/build-queue.js';
import { redactConfig } from '../storage/publish/redact-config.js';
import { configOrExit, connectRedis, makeLogger, onShutdownSignal, openArtifactStore } from './service-runtime.js';
import { publishedIn } from './store-publisher.js';

const config = configOrExit('api');
const log = makeLogger(config, 'trt-api');
const redis = connectRedis(config, 'api');
const store = openArtifactStore(config);
const queue = new BuildQueue(redis, config.REDIS_PREFIX, () => Date.now(), config.LOG_CAP_LINES);
const app = buildApp({
  redis,
  queue,
  planConfig: (text) => planConfigText(text),
  publisher: { published: (planHash) => publishedIn(store, planHash) },
  readArtifact: (key) => store.getBytes(key),
  configForRecord: (text) => {
    try {
      return redactConfig(parseYaml(text, { maxAliasCount: 100 }) as unknown, { secretValues: Object.values(config.secrets) });
    } catch {
      return null;
    }
  },
  tokens: config.API_TOKENS,
  bodyLimit: config.BODY_LIMIT_BYTES,
  logger: log,
});

onShutdownSignal(log, async () => {
  await app.close();
  await queue.close();
  await redis.quit();
});
await app.listen({ host: config.HOST, port: config.PORT });
