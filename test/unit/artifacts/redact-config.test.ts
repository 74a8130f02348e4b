import { describe, expect, it } from 'vitest';
import {
  containsCredential,
  looksLikeCredentialKey,
  redactConfig,
  redactString,
} from '../../../orchestrator/storage/publish/redact-config.js';

describe('looksLikeCredentialKey', () => {
  it.each([
    'hf_access_token',
    'HF_TOKEN',
    'token',
    'github_token',
    'accessToken',
    'aws_secret_access_key',
    'AWS_ACCESS_KEY_ID',
    'secretKey',
    'password',
    'db_passwd',
    'api_key',
    'apiKey',
    'x-api-key',
    'private_key',
    'Authorization',
    'gcs_credentials',
    'session_token',
  ])('flags %s', (key) => {
    expect(looksLikeCredentialKey(key)).toBe(true);
  });

  it.each([
    'max_tokens',
    'max_num_tokens',
    'num_draft_tokens',
    'request_default_max_tokens',
    'eos_token',
    'pad_token',
    'bos_token_id',
    'tokenizer_repository',
    'auth_secret_name',
    'runtime_secret_name',
    'secret_to_path_mapping',
    'docker_auth',
    'keys',
    'cache_key_prefix',
    'model_name',
    'BAD_TOKEN_ID_SEQ_CHECK_ENABLED',
  ])('leaves %s alone', (key) => {
    expect(looksLikeCredentialKey(key)).toBe(false);
  });
});

describe('redactString', () => {
  it.each([
    ['hf_AbCdEfGhIjKlMnOpQrStUvWx', '[REDACTED]'],
    ['token ghp_0123456789abcdefghijABCDEFGHIJ ok', 'token [REDACTED] ok'],
    ['AKIAABCDEFGHIJKLMNOP', '[REDACTED]'],
    ['sk-proj-abcdefghijklmnopqrstuv', '[REDACTED]'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED]'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', '[REDACTED]'],
    ['https://bob:hunter2@host/x', 'https://bob:[REDACTED]@host/x'],
    ['s3://bucket/key and http://host:8000/path', 's3://bucket/key and http://host:8000/path'],
    ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct'],
    ['a'.repeat(40), 'a'.repeat(40)],
  ])('%j → %j', (input, output) => {
    expect(redactString(input)).toBe(output);
  });

  it('replaces exact known secret values (4+ chars) anywhere', () => {
    expect(redactString('pre-s3cr3t-post s3cr3t', ['s3cr3t', 'ab'])).toBe('pre-[REDACTED]-post [REDACTED]');
    expect(containsCredential('nothing here', ['s3cr3t'])).toBe(false);
    expect(containsCredential('has s3cr3t', ['s3cr3t'])).toBe(true);
  });
});

describe('redactConfig', () => {
  it('blanks the secrets section values but keeps their names', () => {
    expect(redactConfig({ secrets: { hf_access_token: 'hf_value_not_pattern', empty: null, blank: '' } })).toEqual({
      secrets: { hf_access_token: '[REDACTED]', empty: null, blank: null },
    });
    expect(redactConfig({ secrets: ['a', 'b'] })).toEqual({ secrets: '[REDACTED]' });
    expect(redactConfig({ nested: { Secrets: 'x' } })).toEqual({ nested: { Secrets: '[REDACTED]' } });
  });

  it('replaces whole values (objects too) under credential keys, at any depth and in arrays', () => {
    expect(
      redactConfig({ a: [{ b: { api_key: { inner: 'x' } } }], password: 123, token: null, max_tokens: 4096 }),
    ).toEqual({ a: [{ b: { api_key: '[REDACTED]' } }], password: '[REDACTED]', token: null, max_tokens: 4096 });
  });

  it('produces plain JSON from hostile values', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic['self'] = cyclic;
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100; i++) {
      const next: Record<string, unknown> = {};
      deep['d'] = next;
      deep = next;
    }
    const out = redactConfig({
      cyclic,
      root,
      fn: () => 1,
      undef: undefined,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      big: 10n,
      date: new Date('2026-01-02T03:04:05Z'),
      sym: Symbol('s'),
    });
    expect(out).toMatchObject({
      cyclic: { name: 'x', self: '[CIRCULAR]' },
      nan: null,
      inf: null,
      big: '10',
      date: '2026-01-02T03:04:05.000Z',
    });
    expect(out).not.toHaveProperty('fn');
    expect(out).not.toHaveProperty('undef');
    expect(out).not.toHaveProperty('sym');
    expect(JSON.stringify(out)).toContain('[TRUNCATED]');
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('keeps a __proto__ key as data without touching prototypes', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const out = redactConfig(input) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual(input);
  });

  it('shares repeated (non-cyclic) references without marking them circular', () => {
    const shared = { v: 1 };
    expect(redactConfig({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});
