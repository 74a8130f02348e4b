/**
 * Shared plumbing of the entry points: the config or exit 2, the pino logger, the BullMQ Redis
 * connection, the artifact store, and SIGTERM/SIGINT handling that runs one shutdown once.
 */
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { artifactStoreFromUrl } from '../storage/artifacts/store-from-url.js';
import type { StreamingArtifactStore } from '../storage/artifacts/readable-store.js';
import type { ServiceConfig } from './service-config.js';
import { parseServiceConfig } from './service-config.js';

/** Parses the environment or prints every problem and exits with code 2. */
export function configOrExit(role: 'api' | 'worker'): Readonly<ServiceConfig> {
  const r = parseServiceConfig(process.env, role);
  if (r.ok) return r.config;
  process.stderr.write(`trt-${role}: invalid configuration\n${r.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(2);
}

/** The service logger; secret-bearing fields are redacted by path. */
export function makeLogger(config: Readonly<ServiceConfig>, name: string): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'secrets', '*.secrets', 'API_TOKENS'],
      censor: '[REDACTED]',
    },
  });
}

/**
 * The ioredis connection. Workers need `maxRetriesPerRequest: null` (BullMQ blocks on it); the API
 * fails a request after a few reconnect attempts instead, so it answers 503 rather than hanging.
 */
export function connectRedis(config: Readonly<ServiceConfig>, role: 'api' | 'worker'): Redis {
  const maxRetriesPerRequest = role === 'worker' ? null : 2;
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = config.REDIS_CLUSTER_NODES.map((n) => ({
      host: n.slice(0, n.lastIndexOf(':')),
      port: Number(n.slice(n.lastIndexOf(':') + 1)),
    }));
    // A Cluster speaks the same commands for our keys (one hash tag per prefix); typed as Redis for the adapters.
    return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest } }) as unknown as Redis;
  }
  return new Redis(config.REDIS_URL, { maxRetriesPerRequest });
}

/** The artifact store named by ARTIFACT_STORE_URL (S3 credentials from the SDK's default chain). */
export function openArtifactStore(config: Readonly<ServiceConfig>): StreamingArtifactStore {
  return artifactStoreFromUrl(config.ARTIFACT_STORE_URL, {
    s3: {
      region: config.AWS_REGION,
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
      forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
    },
  });
}

/** Runs `shutdown` once on the first SIGTERM/SIGINT, then exits (0, or 1 when shutdown failed). */
export function onShutdownSignal(log: Logger, shutdown: () => Promise<void>): void {
  let started = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (started) return;
    started = true;
    log.info({ signal }, 'shutting down');
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
