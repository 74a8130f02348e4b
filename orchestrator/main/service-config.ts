/**
 * Service configuration from environment variables, parsed once (pure: the environment is passed
 * in) and frozen. Secret values (API tokens, the names listed in SECRET_NAMES) are kept out of
 * every message this module produces.
 */
import { z } from 'zod';
import { GPU_TYPES } from '../gpu/catalog.js';
import { parseAllowList } from '../net/address-policy.js';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);
const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The environment variables the service reads (names as in README). */
export const ServiceEnv = z.object({
  /** Redis for BullMQ and build records. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** Key prefix of every queue and record. */
  REDIS_PREFIX: z
    .string()
    .regex(
      /^(\{[a-zA-Z0-9_-]{1,32}\}|[a-zA-Z0-9_-]{1,32})$/,
      'must be a name like trt, or {trt} (BullMQ hash-tag form, required on a Redis Cluster)',
    )
    .default('trt'),
  /** Redis Cluster seed nodes `host:port,…` (then REDIS_URL is ignored and REDIS_PREFIX must be `{name}`). */
  REDIS_CLUSTER_NODES: list.pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port'))).optional(),
  /** Days a finished build, its logs and its BullMQ jobs stay in Redis (fractions allowed). */
  RETENTION_DAYS: z.coerce.number().min(0.0001).max(3650).default(7),
  /** How long a build may wait for GPUs before it fails (ms). */
  GPU_WAIT_LIMIT_MS: int(1000, 30 * 24 * 3_600_000, 3_600_000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535, 8080),
  /** Comma-separated bearer tokens accepted on /v1 (each at least 16 characters). */
  API_TOKENS: list.pipe(z.array(z.string().min(16, 'each token must have at least 16 characters')).max(64)).default([]),
  /** Largest request body in bytes (default 1 MiB). */
  BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024, 1024 * 1024),
  /** Where builds are published: `s3://bucket/prefix` or `file:///abs/dir`. */
  ARTIFACT_STORE_URL: z
    .string()
    .regex(/^(s3:\/\/[a-z0-9.-]{3,63}(\/.*)?|file:\/\/\/.+)$/, 'must be s3://bucket[/prefix] or file:///absolute/path'),
  /** S3-compatible endpoint (MinIO, s3rver); unset for AWS. */
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  AWS_REGION: z.string().default('us-east-1'),
  HF_ENDPOINT: z.url().default('https://huggingface.co'),
  /** Per-build workspaces (shared by the IO and build roles of a host). */
  WORK_DIR: z.string().startsWith('/', 'must be an absolute path').default('/var/lib/trt/work'),
  /** Checkpoint cache. */
  CACHE_DIR: z.string().startsWith('/', 'must be an absolute path').default('/var/lib/trt/cache'),
  CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(500 * 1024 ** 3),
  EXECUTOR: z.enum(['docker', 'local']).default('docker'),
  DOCKER_BIN: z.string().min(1).default('docker'),
  /** Worker roles: `build` (GPU queue: convert, quantize, engine build), `io` (fetch and publish). */
  WORKER_ROLES: list.pipe(z.array(z.enum(['build', 'io'])).min(1)).default(['build', 'io']),
  /** GPU type served (else detected with nvidia-smi). */
  GPU_TYPE: z.enum(GPU_TYPES).optional(),
  /** Device ids (indexes or GPU- UUIDs) handed to builds (else all detected). */
  GPU_IDS: list.optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  IO_CONCURRENCY: int(1, 64, 4),
  /** How long SIGTERM waits for running steps before handing them back to the queue. */
  SHUTDOWN_GRACE_MS: int(0, 3_600_000, 30_000),
  LOCK_DURATION_MS: int(1000, 600_000, 30_000),
  STALLED_INTERVAL_MS: int(500, 600_000, 15_000),
  LOG_CAP_LINES: int(100, 1_000_000, 10_000),
  /** Names of environment variables passed to steps as secrets (e.g. HF_TOKEN). */
  SECRET_NAMES: list.pipe(z.array(z.string().regex(ENV_NAME, 'must be an environment variable name'))).default([]),
  /** Extra environment variables passed to step processes (names; `PREFIX_*` for a prefix). */
  STEP_ENV_PASSTHROUGH: list
    .pipe(z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}\*?$/, 'must be a variable name or PREFIX_*')))
    .default([]),
  /**
   * Outbound allow-list for everything the worker fetches (CIDRs, addresses or host names); by
   * default only global unicast addresses are contacted.
   */
  OUTBOUND_ALLOW: list
    .superRefine((entries, ctx) => {
      const r = parseAllowList(entries);
      if (!r.ok) for (const e of r.errors) ctx.addIssue({ code: 'custom', message: e });
    })
    .default([]),
  /** Secret names a REMOTE_URL item may send to its (submitter-chosen) host as a bearer token. */
  REMOTE_URL_SECRET_NAMES: list.pipe(z.array(z.string().regex(ENV_NAME, 'must be a secret name'))).default([]),
  /** Azure storage accounts a credential (SAS token, Shared Key signature) may be sent to; none by default. */
  AZURE_STORAGE_ACCOUNTS: list
    .pipe(
      z.array(z.string().regex(/^[a-z0-9]{3,24}$/, 'must be storage account names (3-24 lowercase letters, digits)')),
    )
    .default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;

export interface ServiceConfig extends ServiceEnv {
  /** Secret values by name, read from the variables SECRET_NAMES lists (unset names are skipped). */
  readonly secrets: Readonly<Record<string, string>>;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Readonly<ServiceConfig> }
  | { readonly ok: false; readonly errors: readonly string[] };

const NO_TOKENS = 'API_TOKENS: set at least one bearer token (comma-separated)';

/** Parses the environment once; every problem is reported, never a value. */
export function parseServiceConfig(
  env: Readonly<Record<string, string | undefined>>,
  role: 'api' | 'worker',
): ConfigResult {
  const input: Record<string, string> = {};
  for (const key of Object.keys(ServiceEnv.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = ServiceEnv.safeParse(input);
  if (!parsed.success) {
    // Every problem at once: the schema's issues plus the per-role requirement.
    const errors = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
    if (role === 'api' && (input['API_TOKENS'] ?? '').split(',').every((t) => t.trim() === '')) errors.push(NO_TOKENS);
    return { ok: false, errors };
  }
  const c = parsed.data;
  const errors: string[] = [];
  if (role === 'api' && c.API_TOKENS.length === 0) errors.push(NO_TOKENS);
  if (c.S3_ENDPOINT !== undefined && !c.ARTIFACT_STORE_URL.startsWith('s3://'))
    errors.push('S3_ENDPOINT is set but ARTIFACT_STORE_URL is not an s3:// URL');
  if (c.REDIS_CLUSTER_NODES !== undefined && !c.REDIS_PREFIX.startsWith('{'))
    errors.push('REDIS_PREFIX: on a Redis Cluster it must be a hash tag like {trt}');
  if (errors.length > 0) return { ok: false, errors };
  const secrets: Record<string, string> = {};
  for (const name of c.SECRET_NAMES) {
    const v = env[name];
    if (v !== undefined && v !== '') secrets[name] = v;
  }
  return { ok: true, config: Object.freeze({ ...c, secrets: Object.freeze(secrets) }) };
}
