/**
 * docker-compose.yml and builder-image/Dockerfile cannot be run here (no Docker engine), so this
 * test holds them to the essentials: Redis with AOF and noeviction, an S3-compatible store with
 * its bucket, the API and a GPU worker wired to them with variables the service actually reads,
 * image targets and entry points that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ServiceEnv, parseServiceConfig } from '../../../orchestrator/main/service-config.js';

const root = join(import.meta.dirname, '../../..');
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  ipc?: string;
  ulimits?: Record<string, number>;
  healthcheck?: { test: string[] };
  deploy?: {
    resources: { reservations: { devices: { driver: string; count: string | number; capabilities: string[] }[] } };
  };
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(root, 'builder-image/Dockerfile'), 'utf8');
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};
/** Compose `${VAR:-default}` / `${VAR:?msg}` → the default (or a sample value). */
const resolve = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(
        /\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g,
        (_m, name: string, def?: string) => def ?? (name === 'API_TOKENS' ? 'a-token-of-16-chars-or-more' : ''),
      ),
    ]),
  );

describe('docker-compose.yml', () => {
  it('runs Redis with AOF persistence, noeviction, a volume and a healthcheck', () => {
    const r = svc('redis');
    expect(r.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(r.command?.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(r.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(r.healthcheck?.test).toContain('ping');
  });

  it('runs an S3-compatible store and creates the bucket the services publish to', () => {
    expect(svc('minio').image).toMatch(/^minio\/minio:RELEASE\./);
    const init = svc('minio-init');
    expect(init.depends_on?.['minio']?.condition).toBe('service_healthy');
    const bucket = /^s3:\/\/([^/]+)\//.exec(svc('api').environment?.['ARTIFACT_STORE_URL'] ?? '')?.[1];
    expect(bucket).toBeDefined();
    expect(JSON.stringify(init)).toContain(`mc mb --ignore-existing local/${bucket}`);
  });

  it('gives the API and the worker configurations the service accepts, and only variables it reads', () => {
    const known = new Set([...Object.keys(ServiceEnv.shape), 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    for (const name of ['api', 'worker']) {
      const env = resolve(svc(name).environment ?? {});
      const secretNames = (env['SECRET_NAMES'] ?? '').split(',').filter(Boolean);
      for (const key of Object.keys(env))
        expect(known.has(key) || secretNames.includes(key), `${name}: ${key}`).toBe(true);
      const parsed = parseServiceConfig(env, name === 'api' ? 'api' : 'worker');
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
      expect(env['REDIS_URL']).toBe('redis://redis:6379');
      expect(svc(name).depends_on?.['redis']?.condition).toBe('service_healthy');
      expect(svc(name).depends_on?.['minio-init']?.condition).toBe('service_completed_successfully');
    }
    expect(svc('api').environment?.['API_TOKENS']).toMatch(/^\$\{API_TOKENS:\?/);
    expect(svc('api').ports).toContain('8080:8080');
  });

  it('reserves NVIDIA GPUs for the worker and sets what TensorRT-LLM needs', () => {
    const w = svc('worker');
    const devices = w.deploy?.resources.reservations.devices ?? [];
    expect(devices).toContainEqual(expect.objectContaining({ driver: 'nvidia', capabilities: ['gpu'] }));
    expect(w.ipc).toBe('host');
    expect(w.ulimits).toEqual({ memlock: -1, stack: 67108864 });
    expect(w.volumes).toEqual(expect.arrayContaining(['work:/var/lib/trt/work', 'cache:/var/lib/trt/cache']));
    for (const v of ['redis-data', 'minio-data', 'work', 'cache']) expect(compose.volumes).toHaveProperty(v);
  });

  it('builds targets that exist in builder-image/Dockerfile, whose entry points exist as sources', () => {
    const targets = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)$/gm)].map((m) => m[1]);
    for (const name of ['api', 'worker']) {
      const b = svc(name).build;
      expect(b?.dockerfile).toBe('builder-image/Dockerfile');
      expect(targets).toContain(b?.target);
    }
    const entries = [...dockerfile.matchAll(/ENTRYPOINT \["node", "dist\/main\/([\w-]+)\.js"\]/g)].map((m) => m[1]);
    expect(entries.sort()).toEqual(['trt-api', 'trt-worker']);
    for (const e of entries) expect(existsSync(join(root, 'orchestrator/main', `${e}.ts`)), e).toBe(true);
    expect(dockerfile).toMatch(/ARG TRTLLM_IMAGE=nvcr\.io\/nvidia\/tensorrt-llm\/release:1\.2\.\d+/);
    expect(dockerfile).toContain('EXECUTOR=local');
  });
});
