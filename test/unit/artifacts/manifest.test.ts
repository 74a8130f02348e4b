import { describe, expect, it } from 'vitest';
import {
  BuildManifest,
  buildPrefix,
  manifestKey,
  planHashHex,
  sameFiles,
  type ManifestFile,
} from '../../../orchestrator/storage/publish/manifest.js';
import { isPublishError } from '../../../orchestrator/storage/publish/errors.js';
import { manifestSources } from '../../../orchestrator/storage/publish/manifest-sources.js';

const HEX = 'c0ffee'.repeat(10) + 'beef';
const SHA = 'a'.repeat(64);

function manifest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    planHash: `sha256:${HEX}`,
    createdAt: '2026-11-28T02:00:00.000Z',
    artifactKind: 'engine',
    lane: { name: 'v2-pytorch', image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0', trtllmVersion: '1.2.0' },
    gpu: { type: 'B200', sm: 100, count: 4 },
    sources: [
      {
        role: 'checkpoint',
        name: null,
        source: 'S3',
        repo: 's3://b/k',
        requestedRevision: null,
        resolvedRevision: 'etag-digest',
      },
    ],
    launch: {},
    config: { a: [1, 'b', null, { c: true }] },
    files: [
      { path: 'artifact/a', size: 3, sha256: SHA },
      { path: 'launch/b.yaml', size: 4, sha256: SHA },
    ],
    totalBytes: 7,
    ...over,
  };
}

describe('BuildManifest', () => {
  it('accepts a complete manifest', () => {
    expect(BuildManifest.safeParse(manifest()).success).toBe(true);
  });

  it.each([
    ['planHash', { planHash: HEX }, 'planHash'],
    ['createdAt', { createdAt: 'yesterday' }, 'createdAt'],
    ['gpu type', { gpu: { type: 'TPU', sm: 1, count: 1 } }, 'gpu.type'],
    ['file path ..', { files: [{ path: 'artifact/../x', size: 1, sha256: SHA }], totalBytes: 1 }, 'files.0.path'],
    [
      'file path manifest.json',
      { files: [{ path: 'manifest.json', size: 1, sha256: SHA }], totalBytes: 1 },
      'files.0.path',
    ],
    [
      'sha256 upper-case',
      { files: [{ path: 'a', size: 1, sha256: SHA.toUpperCase() }], totalBytes: 1 },
      'files.0.sha256',
    ],
    ['negative size', { files: [{ path: 'a', size: -1, sha256: SHA }], totalBytes: -1 }, 'files.0.size'],
    [
      'duplicate paths',
      {
        files: [
          { path: 'a', size: 1, sha256: SHA },
          { path: 'a', size: 1, sha256: SHA },
        ],
        totalBytes: 2,
      },
      'files.1.path',
    ],
    ['totalBytes mismatch', { totalBytes: 8 }, 'totalBytes'],
    ['schemaVersion', { schemaVersion: 2 }, 'schemaVersion'],
  ])('rejects a bad %s at its path', (_what, over, path) => {
    const r = BuildManifest.safeParse(manifest(over));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('plan hash keys', () => {
  it('derives builds/<hex>/ and the manifest key', () => {
    expect(planHashHex(`sha256:${HEX}`)).toBe(HEX);
    expect(buildPrefix(`sha256:${HEX}`)).toBe(`builds/${HEX}/`);
    expect(manifestKey(`sha256:${HEX}`)).toBe(`builds/${HEX}/manifest.json`);
  });

  it.each([HEX, `sha256:${HEX.toUpperCase()}`, `sha256:${HEX}0`, `sha256:${HEX}/..`, `md5:${HEX}`, 42, null])(
    'rejects %j',
    (bad) => {
      expect(planHashHex(bad)).toBeNull();
      let err: unknown = null;
      try {
        buildPrefix(bad as string);
      } catch (e) {
        err = e;
      }
      expect(isPublishError(err, 'INVALID_PLAN_HASH')).toBe(true);
    },
  );
});

describe('sameFiles', () => {
  const a: ManifestFile[] = [
    { path: 'x', size: 1, sha256: SHA },
    { path: 'y', size: 2, sha256: SHA },
  ];
  it('ignores order but not size, digest or membership', () => {
    expect(sameFiles(a, [...a].reverse())).toBe(true);
    expect(sameFiles(a, [a[0]!, { path: 'y', size: 3, sha256: SHA }])).toBe(false);
    expect(sameFiles(a, [a[0]!, { path: 'y', size: 2, sha256: 'b'.repeat(64) }])).toBe(false);
    expect(sameFiles(a, [a[0]!])).toBe(false);
    expect(sameFiles(a, [a[0]!, { path: 'z', size: 2, sha256: SHA }])).toBe(false);
  });
});

describe('manifestSources', () => {
  it('pins each fetched item to its resolved revision, in order, and the result validates', () => {
    const sources = manifestSources([
      {
        item: {
          role: 'checkpoint',
          name: null,
          source: 'HF',
          repo: 'acme/m',
          revision: 'main',
          repoType: 'model',
          secretName: 'hf_access_token',
          dest: '/workspace/ckpt',
        },
        resolved: {
          source: 'HF',
          repo: 'acme/m',
          requestedRevision: 'main',
          resolvedRevision: 'f'.repeat(40),
          files: [],
        },
        fromCache: true,
      },
      {
        item: {
          role: 'lora_adapter',
          name: 'sql',
          source: 'S3',
          repo: 's3://b/lora',
          revision: null,
          repoType: 'model',
          secretName: null,
          dest: '/workspace/lora/sql',
        },
        resolved: {
          source: 'S3',
          repo: 's3://b/lora',
          requestedRevision: null,
          resolvedRevision: 'etags:abc',
          files: [],
        },
        fromCache: false,
      },
    ]);
    expect(sources).toEqual([
      {
        role: 'checkpoint',
        name: null,
        source: 'HF',
        repo: 'acme/m',
        requestedRevision: 'main',
        resolvedRevision: 'f'.repeat(40),
      },
      {
        role: 'lora_adapter',
        name: 'sql',
        source: 'S3',
        repo: 's3://b/lora',
        requestedRevision: null,
        resolvedRevision: 'etags:abc',
      },
    ]);
    expect(BuildManifest.safeParse(manifest({ sources })).success).toBe(true);
  });
});
