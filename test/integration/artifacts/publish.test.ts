import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '../../../orchestrator/storage/artifacts/local-store.js';
import { S3ArtifactStore } from '../../../orchestrator/storage/artifacts/s3-store.js';
import type { ArtifactStore } from '../../../orchestrator/storage/ports.js';
import { manifestKey } from '../../../orchestrator/storage/publish/manifest.js';
import { publishBuild, type PublishBuildInput } from '../../../orchestrator/storage/publish/publish-build.js';
import { isPublished, readManifest } from '../../../orchestrator/storage/publish/read-manifest.js';
import { verifyPublished } from '../../../orchestrator/storage/publish/verify-published.js';
import { startS3Server, type S3ServerHandle } from '../../fixtures/servers/s3-server.js';
import { LAUNCH_FILES, PLAN_HASH, makeBuildDir, makeMeta, publishInput, recordingStore } from './helpers.js';

const BUCKET = 'publish-tests';
const PREFIX = `builds/${PLAN_HASH.slice('sha256:'.length)}/`;
let s3: S3ServerHandle;
let base: string;
let n = 0;
const s3Stores: S3ArtifactStore[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  base = await mkdtemp(join(tmpdir(), 'publish-'));
});
afterAll(async () => {
  for (const s of s3Stores) s.destroy();
  await s3.close();
  await rm(base, { recursive: true, force: true });
});

const factories: ReadonlyArray<readonly [string, () => ArtifactStore]> = [
  ['local', () => new LocalArtifactStore(join(base, `store-${n++}`))],
  [
    's3',
    () => {
      const store = new S3ArtifactStore(BUCKET, `t${n++}/`, {
        endpoint: s3.endpoint,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      s3Stores.push(store);
      return store;
    },
  ],
];

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.each(factories)('publishBuild / verifyPublished on the %s store', (_name, makeStore) => {
  let store: ArtifactStore;
  let dir: string;
  let files: Map<string, Buffer>;
  const input = (over: Partial<PublishBuildInput> = {}): PublishBuildInput => publishInput(store, dir, over);

  beforeEach(async () => {
    store = makeStore();
    dir = join(base, `build-${n++}`);
    files = await makeBuildDir(dir);
  });

  it('uploads every file, then the manifest last, and the result verifies', async () => {
    const rec = recordingStore(store);
    const progress: number[] = [];
    const result = await publishBuild(input({ store: rec, onProgress: (p) => progress.push(p.filesDone) }));
    expect(result).toMatchObject({
      status: 'published',
      differs: false,
      uploadedFiles: 6,
      prefix: PREFIX,
      manifestKey: `${PREFIX}manifest.json`,
    });
    const puts = rec.calls.filter((c) => c.op === 'putFile' || c.op === 'putBytes');
    expect(puts.at(-1)).toEqual({ op: 'putBytes', key: `${PREFIX}manifest.json` });
    expect(puts).toHaveLength(7);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);

    const m = result.manifest;
    expect(m).toMatchObject({
      schemaVersion: 1,
      planHash: PLAN_HASH,
      createdAt: '2026-11-28T02:00:00.000Z',
      artifactKind: 'engine',
      lane: { name: 'v1-engine', image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0', trtllmVersion: '1.2.0' },
      gpu: { type: 'H100', sm: 90, count: 2 },
      sources: [{ role: 'checkpoint', repo: 'acme/tiny-llm', resolvedRevision: 'a'.repeat(40) }],
      launch: { 'trtllm-serve': { server: 'trtllm-serve' } },
      config: { model_name: 'tiny' },
    });
    expect(m.files.map((f) => f.path)).toEqual([
      'artifact/config.json',
      'artifact/rank0.engine',
      'artifact/rank1.engine',
      'artifact/tokenizer/tokenizer.json',
      'launch/extra_llm_api_options.yaml',
      'launch/triton/config.pbtxt',
    ]);
    for (const [rel, bytes] of files) {
      expect(m.files.find((f) => f.path === `artifact/${rel}`)).toEqual({
        path: `artifact/${rel}`,
        size: bytes.length,
        sha256: sha(bytes),
      });
    }
    expect(m.totalBytes).toBe(m.files.reduce((s, f) => s + f.size, 0));

    expect((await store.list(PREFIX)).map((o) => o.key)).toEqual(
      [...m.files.map((f) => PREFIX + f.path), `${PREFIX}manifest.json`].sort(),
    );
    expect(Buffer.from((await store.getBytes(`${PREFIX}launch/triton/config.pbtxt`)) ?? []).toString()).toBe(
      'name: "tensorrt_llm"\n',
    );
    expect(await readManifest(store, PLAN_HASH)).toEqual(m);
    expect(await isPublished(store, PLAN_HASH)).toBe(true);
    expect(await verifyPublished(store, PLAN_HASH)).toEqual({ ok: true, manifest: m, problems: [] });
  });

  it('re-publishing the same build uploads nothing and reports already_published', async () => {
    const first = await publishBuild(input());
    const rec = recordingStore(store);
    const again = await publishBuild(input({ store: rec, now: new Date('2027-01-01T00:00:00Z') }));
    expect(again).toMatchObject({ status: 'already_published', differs: false, uploadedFiles: 0, uploadedBytes: 0 });
    expect(again.manifest).toEqual(first.manifest); // createdAt of the first publish is kept
    expect(rec.calls.filter((c) => c.op === 'putFile' || c.op === 'putBytes' || c.op === 'delete')).toEqual([]);
  });

  it('re-publishing repairs objects missing under an existing identical manifest', async () => {
    await publishBuild(input());
    await store.delete(`${PREFIX}artifact/rank1.engine`);
    const rec = recordingStore(store);
    const result = await publishBuild(input({ store: rec }));
    expect(result).toMatchObject({
      status: 'repaired',
      uploadedFiles: 1,
      uploadedBytes: files.get('rank1.engine')?.length,
    });
    expect(rec.calls.filter((c) => c.op === 'putFile' || c.op === 'putBytes').map((c) => c.key)).toEqual([
      `${PREFIX}artifact/rank1.engine`,
    ]);
    expect((await verifyPublished(store, PLAN_HASH)).ok).toBe(true);
  });

  it('keeps a different stored build unless replace is set; replace swaps it and removes stale files', async () => {
    const first = await publishBuild(input());
    await writeFile(join(dir, 'rank0.engine'), 'a rebuilt, different engine');
    await rm(join(dir, 'tokenizer'), { recursive: true });
    const rec = recordingStore(store);
    const kept = await publishBuild(input({ store: rec }));
    expect(kept).toMatchObject({ status: 'already_published', differs: true, uploadedFiles: 0 });
    expect(kept.manifest).toEqual(first.manifest);
    expect(rec.calls.filter((c) => c.op !== 'getBytes')).toEqual([]);

    const replaced = await publishBuild(input({ replace: true, now: new Date('2026-12-01T00:00:00Z') }));
    expect(replaced).toMatchObject({ status: 'replaced', differs: true, uploadedFiles: 5 });
    expect(replaced.manifest.createdAt).toBe('2026-12-01T00:00:00.000Z');
    expect(await store.head(`${PREFIX}artifact/tokenizer/tokenizer.json`)).toBeNull();
    expect(await verifyPublished(store, PLAN_HASH)).toMatchObject({ ok: true, problems: [] });
  });

  it('verify names a missing file, a truncated file and a same-size altered file', async () => {
    await publishBuild(input());
    const r0 = files.get('rank0.engine') ?? Buffer.alloc(0);
    await store.delete(`${PREFIX}artifact/tokenizer/tokenizer.json`);
    await store.putBytes(`${PREFIX}artifact/rank1.engine`, 'short');
    const flipped = Buffer.from(r0);
    flipped[1000] = (flipped[1000] ?? 0) ^ 0xff;
    await store.putBytes(`${PREFIX}artifact/rank0.engine`, flipped);
    const result = await verifyPublished(store, PLAN_HASH);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      { path: 'artifact/rank0.engine', problem: 'sha256' },
      { path: 'artifact/rank1.engine', problem: 'size' },
      { path: 'artifact/tokenizer/tokenizer.json', problem: 'missing' },
    ]);
    // Size-only mode misses the same-size alteration, by design.
    expect((await verifyPublished(store, PLAN_HASH, { content: false })).problems.map((p) => p.problem)).toEqual([
      'size',
      'missing',
    ]);
  });

  it('an unpublished build verifies as missing its manifest', async () => {
    expect(await verifyPublished(store, PLAN_HASH)).toEqual({
      ok: false,
      manifest: null,
      problems: [{ path: 'manifest.json', problem: 'missing' }],
    });
    expect(await readManifest(store, PLAN_HASH)).toBeNull();
    expect(await isPublished(store, PLAN_HASH)).toBe(false);
  });

  it('a failure mid-upload leaves no manifest, and a retry publishes', async () => {
    const failing = recordingStore(store, (_key, i) => {
      if (i === 2) throw new Error('injected upload failure');
    });
    await expect(publishBuild(input({ store: failing, concurrency: 1 }))).rejects.toThrow('injected upload failure');
    expect(failing.calls.some((c) => c.key.endsWith('manifest.json') && c.op === 'putBytes')).toBe(false);
    expect(await isPublished(store, PLAN_HASH)).toBe(false);
    expect(await readManifest(store, PLAN_HASH)).toBeNull();
    expect((await publishBuild(input())).status).toBe('published');
    expect((await verifyPublished(store, PLAN_HASH)).ok).toBe(true);
  });

  it('an aborted publish stops between files and writes no manifest', async () => {
    const controller = new AbortController();
    const aborting = recordingStore(store, (_key, i) => {
      if (i === 1) controller.abort(new Error('build cancelled'));
    });
    await expect(publishBuild(input({ store: aborting, concurrency: 1, signal: controller.signal }))).rejects.toThrow(
      'build cancelled',
    );
    expect(aborting.calls.filter((c) => c.op === 'putFile' || c.op === 'putBytes').length).toBe(2);
    expect(await isPublished(store, PLAN_HASH)).toBe(false);
    const pre = new AbortController();
    pre.abort();
    const untouched = recordingStore(store);
    await expect(publishBuild(input({ store: untouched, signal: pre.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(untouched.calls).toEqual([]);
  });

  it('a source file changing during the upload fails with SOURCE_CHANGED and publishes nothing', async () => {
    const tampering = recordingStore(store, async (key) => {
      if (key.endsWith('rank1.engine')) await appendFile(join(dir, 'rank1.engine'), 'x');
    });
    await expect(publishBuild(input({ store: tampering }))).rejects.toMatchObject({
      code: 'SOURCE_CHANGED',
      path: 'rank1.engine',
    });
    expect(await isPublished(store, PLAN_HASH)).toBe(false);
  });

  it('a corrupt stored manifest is reported, and replaced only when asked', async () => {
    await store.putBytes(manifestKey(PLAN_HASH), '{"schemaVersion": 1, "planHash": "nope"');
    await expect(readManifest(store, PLAN_HASH)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await expect(verifyPublished(store, PLAN_HASH)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await expect(publishBuild(input())).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await store.putBytes(manifestKey(PLAN_HASH), JSON.stringify({ schemaVersion: 1, planHash: PLAN_HASH }));
    await expect(readManifest(store, PLAN_HASH)).rejects.toThrow(/does not match the manifest schema: createdAt/);
    expect((await publishBuild(input({ replace: true }))).status).toBe('published');
    expect((await verifyPublished(store, PLAN_HASH)).ok).toBe(true);
  });
});

describe('publishBuild refuses hostile input before writing anything', () => {
  let store: LocalArtifactStore;
  let dir: string;
  const input = (over: Partial<PublishBuildInput> = {}): PublishBuildInput => publishInput(store, dir, over);
  beforeEach(async () => {
    store = new LocalArtifactStore(join(base, `hostile-store-${n++}`));
    dir = join(base, `hostile-${n++}`);
    await makeBuildDir(dir);
  });

  const cases: ReadonlyArray<readonly [string, () => Promise<Partial<PublishBuildInput>>, Record<string, unknown>]> = [
    ['a malformed plan hash', () => Promise.resolve({ planHash: 'sha256:XYZ' }), { code: 'INVALID_PLAN_HASH' }],
    [
      'a plan hash with a path in it',
      () => Promise.resolve({ planHash: `sha256:../../${'a'.repeat(58)}` }),
      { code: 'INVALID_PLAN_HASH' },
    ],
    ['a missing source dir', () => Promise.resolve({ sourceDir: join(base, 'nope') }), { code: 'SOURCE_DIR_INVALID' }],
    [
      'an empty source dir',
      async () => {
        const empty = join(base, `empty-${n++}`);
        await mkdir(join(empty, 'sub'), { recursive: true });
        return { sourceDir: empty };
      },
      { code: 'EMPTY_ARTIFACT' },
    ],
    [
      'a symlink in the source dir',
      async () => {
        await symlink('/etc/passwd', join(dir, 'passwd'));
        return {};
      },
      { code: 'UNSAFE_SOURCE_ENTRY', path: 'passwd' },
    ],
    [
      'a FIFO in the source dir',
      () => {
        execFileSync('mkfifo', [join(dir, 'tokenizer', 'pipe')]);
        return Promise.resolve({});
      },
      { code: 'UNSAFE_SOURCE_ENTRY', path: 'tokenizer/pipe' },
    ],
    [
      'a file name with a newline',
      async () => {
        await writeFile(join(dir, 'bad\nname'), 'x');
        return {};
      },
      { code: 'INVALID_SOURCE_NAME' },
    ],
    [
      'a file name with a backslash',
      async () => {
        await writeFile(join(dir, 'bad\\name'), 'x');
        return {};
      },
      { code: 'INVALID_SOURCE_NAME' },
    ],
    [
      'a launch file path with ..',
      () => Promise.resolve({ launchFiles: [{ path: '../escape.yaml', content: 'x' }] }),
      { code: 'INVALID_INPUT' },
    ],
    [
      'an absolute launch file path',
      () => Promise.resolve({ launchFiles: [{ path: '/etc/x', content: 'x' }] }),
      { code: 'INVALID_INPUT' },
    ],
    [
      'a duplicate launch file',
      () => Promise.resolve({ launchFiles: [LAUNCH_FILES[0]!, LAUNCH_FILES[0]!] }),
      { code: 'INVALID_INPUT' },
    ],
    [
      'launch content that is not a string',
      () => Promise.resolve({ launchFiles: [{ path: 'a', content: 42 as unknown as string }] }),
      { code: 'INVALID_INPUT' },
    ],
    [
      'launchFiles that is not an array',
      () => Promise.resolve({ launchFiles: 'x' as unknown as [] }),
      { code: 'INVALID_INPUT' },
    ],
    [
      'an unknown GPU type',
      () => Promise.resolve({ meta: { ...makeMeta(), gpu: { type: 'Z9000' as 'H100', sm: 90, count: 1 } } }),
      { code: 'INVALID_INPUT' },
    ],
    ['an invalid date', () => Promise.resolve({ now: new Date('not a date') }), { code: 'INVALID_INPUT' }],
  ];

  it.each(cases)('%s', async (_what, arrange, expected) => {
    const over = await arrange();
    await expect(publishBuild(input(over))).rejects.toMatchObject(expected);
    expect(await store.list('')).toEqual([]);
  });
});
