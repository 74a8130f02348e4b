import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../orchestrator/storage/cache/cache-key.js';
import { isWeightsPath, looksLikeLfsPointer } from '../../../orchestrator/storage/util/lfs-pointer.js';
import { filterPaths, globToRegExp } from '../../../orchestrator/storage/util/glob.js';
import { normalizeRelPath } from '../../../orchestrator/storage/util/safe-path.js';
import { parseBucketUrl } from '../../../orchestrator/storage/sources/s3-credentials.js';

describe('paths, patterns, keys', () => {
  it('normalizes safe relative paths and rejects escapes', () => {
    expect(normalizeRelPath('a/./b//c')).toBe('a/b/c');
    for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a\\b', 'a\0b', '.', './'])
      expect(normalizeRelPath(bad)).toBeNull();
  });

  it('matches fnmatch-style patterns like huggingface_hub', () => {
    expect(globToRegExp('*.safetensors').test('sub/model.safetensors')).toBe(true);
    expect(globToRegExp('original/').test('original/consolidated.pth')).toBe(true);
    expect(globToRegExp('model-0000?-of-*.bin').test('model-00001-of-00002.bin')).toBe(true);
    expect(globToRegExp('[!a]*.json').test('config.json')).toBe(true);
    expect(globToRegExp('[!c]*.json').test('config.json')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    const files = ['config.json', 'model.safetensors', 'original/x.pth', 'README.md'].map((path) => ({ path }));
    expect(
      filterPaths(files, { allow: ['*.json', '*.safetensors', '*.pth'], ignore: ['original/*'] }).map((f) => f.path),
    ).toEqual(['config.json', 'model.safetensors']);
    expect(filterPaths(files, {})).toHaveLength(4);
  });

  it('recognizes weights paths and LFS pointers', () => {
    expect(isWeightsPath('rank0.safetensors')).toBe(true);
    expect(isWeightsPath('pytorch_model-00001.bin')).toBe(true);
    expect(isWeightsPath('config.json')).toBe(false);
    expect(looksLikeLfsPointer(Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:x'))).toBe(true);
    expect(looksLikeLfsPointer(Buffer.from('\x00\x01safetensors'))).toBe(false);
  });

  it('derives a stable cache key that ignores pattern order and changes with identity', () => {
    const base = {
      source: 'HF' as const,
      repo: 'a/b',
      repoType: 'model' as const,
      resolvedRevision: 'a'.repeat(40),
      filter: { allow: ['*.json', '*.bin'] },
    };
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base, filter: { allow: ['*.bin', '*.json'] } })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, resolvedRevision: 'b'.repeat(40) })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, repoType: 'dataset' })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, filter: {} })).not.toBe(cacheKey(base));
  });

  it('parses bucket URLs', () => {
    expect(parseBucketUrl('s3://bkt/a/b/', 's3')).toEqual({ bucket: 'bkt', prefix: 'a/b/' });
    expect(parseBucketUrl('gs://bkt', 'gs')).toEqual({ bucket: 'bkt', prefix: '' });
    expect(() => parseBucketUrl('gs://bkt/x', 's3')).toThrow();
    expect(() => parseBucketUrl('s3://Bad_Bucket!/x', 's3')).toThrow();
  });
});
