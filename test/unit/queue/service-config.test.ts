import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../../orchestrator/main/service-config.js';

const base = { ARTIFACT_STORE_URL: 'file:///var/lib/trt/store', API_TOKENS: 'tok-0123456789abcdef' };

describe('parseServiceConfig', () => {
  it('fills defaults, splits lists, picks secret values by name and freezes the result', () => {
    const r = parseServiceConfig(
      { ...base, GPU_IDS: '0, 1 ,2', SECRET_NAMES: 'hf_access_token,MISSING', hf_access_token: 'hf_x', PORT: '9000' },
      'api',
    );
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.config).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'trt',
      PORT: 9000,
      EXECUTOR: 'docker',
      GPU_IDS: ['0', '1', '2'],
      WORKER_ROLES: ['build', 'io'],
      HF_ENDPOINT: 'https://huggingface.co',
    });
    expect(r.config.secrets).toEqual({ hf_access_token: 'hf_x' });
    expect(Object.isFrozen(r.config)).toBe(true);
    expect(Object.isFrozen(r.config.secrets)).toBe(true);
  });

  it('reports every problem at once and never echoes a value', () => {
    const r = parseServiceConfig(
      {
        ARTIFACT_STORE_URL: 'ftp://x',
        API_TOKENS: 'short-secret',
        PORT: '70000',
        EXECUTOR: 'podman',
        GPU_TYPE: 'H1000',
        REDIS_URL: 'http://x',
      },
      'api',
    );
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.errors.join('\n');
    for (const key of ['ARTIFACT_STORE_URL', 'API_TOKENS', 'PORT', 'EXECUTOR', 'GPU_TYPE', 'REDIS_URL'])
      expect(text).toContain(key);
    expect(text).not.toContain('short-secret');
  });

  it('requires tokens for the API only, and an s3:// store when S3_ENDPOINT is set', () => {
    expect(parseServiceConfig({ ARTIFACT_STORE_URL: base.ARTIFACT_STORE_URL }, 'api')).toEqual({
      ok: false,
      errors: ['API_TOKENS: set at least one bearer token (comma-separated)'],
    });
    expect(parseServiceConfig({ ARTIFACT_STORE_URL: base.ARTIFACT_STORE_URL }, 'worker').ok).toBe(true);
    expect(parseServiceConfig({ ...base, S3_ENDPOINT: 'http://minio:9000' }, 'worker')).toEqual({
      ok: false,
      errors: ['S3_ENDPOINT is set but ARTIFACT_STORE_URL is not an s3:// URL'],
    });
    expect(
      parseServiceConfig(
        { ...base, ARTIFACT_STORE_URL: 's3://bucket/prefix', S3_ENDPOINT: 'http://minio:9000' },
        'worker',
      ).ok,
    ).toBe(true);
  });

  it('treats empty variables as unset (compose passes `${VAR:-}` as empty)', () => {
    const r = parseServiceConfig({ ...base, GPU_TYPE: '', GPU_IDS: '', PORT: '' }, 'worker');
    expect(r.ok && [r.config.GPU_TYPE, r.config.GPU_IDS, r.config.PORT]).toEqual([undefined, undefined, 8080]);
  });
});
