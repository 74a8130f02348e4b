import { describe, expect, it } from 'vitest';
import { formatStoreUrl, parseStoreUrl } from '../../../orchestrator/storage/artifacts/store-url.js';

describe('parseStoreUrl', () => {
  it.each([
    ['s3://my-bucket', { kind: 's3', bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { kind: 's3', bucket: 'my-bucket', prefix: '' }],
    ['s3://my.bucket-1/builds', { kind: 's3', bucket: 'my.bucket-1', prefix: 'builds/' }],
    ['s3://b12/a/b/', { kind: 's3', bucket: 'b12', prefix: 'a/b/' }],
    ['file:///var/lib/artifacts', { kind: 'file', root: '/var/lib/artifacts' }],
    ['file:///var/lib/artifacts/', { kind: 'file', root: '/var/lib/artifacts' }],
    ['file:///tmp/with%20space', { kind: 'file', root: '/tmp/with space' }],
  ])('parses %s', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    ['', /non-empty string/],
    ['https://bucket/x', /expected s3:\/\/bucket\[\/prefix\] or file:\/\/\/absolute\/path/],
    ['s3://', /not a valid S3 bucket name/],
    ['s3://ab', /not a valid S3 bucket name/],
    ['s3://UPPER', /not a valid S3 bucket name/],
    ['s3://under_score/x', /not a valid S3 bucket name/],
    ['s3://a..b/x', /not a valid S3 bucket name/],
    ['s3://bucket/a/../b', /prefix must not contain "\.\." segments/],
    ['s3://bucket//x', /prefix must be relative/],
    ['s3://bucket/a//x', /prefix must not contain empty segments/],
    ['s3://bucket/x?versionId=1', /query strings/],
    ['file://host/path', /empty host/],
    ['file:relative', /empty host/],
    ['file:///tmp/../etc', /"\." or "\.\." segments/],
    ['file:///tmp/%2e%2e/etc', /"\." or "\.\." segments/],
    ['file:///tmp/%zz', /percent-encoding/],
    ['file:///tmp/a%00b', /NUL/],
    ['file:///tmp/a%2Fb', /must not include encoded \/ characters/],
    ['file:///', /filesystem root/],
    ['file:///tmp/x?y', /query strings/],
  ])('rejects %j', (url, why) => {
    expect(() => parseStoreUrl(url)).toThrow(why);
    try {
      parseStoreUrl(url);
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_STORE_URL', retryable: false });
    }
  });

  it('rejects non-strings', () => {
    expect(() => parseStoreUrl(undefined)).toThrow(/INVALID|non-empty string/);
    expect(() => parseStoreUrl({ url: 's3://x' })).toThrow(/non-empty string/);
  });

  it('formats locations back to canonical URLs that parse to the same location', () => {
    for (const url of ['s3://bucket/a/b/', 's3://bucket/', 'file:///tmp/with%20space']) {
      const loc = parseStoreUrl(url);
      expect(formatStoreUrl(loc)).toBe(url);
      expect(parseStoreUrl(formatStoreUrl(loc))).toEqual(loc);
    }
  });
});
