import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore, type S3StoreOptions } from '../../../orchestrator/storage/artifacts/s3-store.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { startFaultProxy, type FaultProxyHandle } from '../../fixtures/servers/fault-proxy.js';
import { startS3Server, type S3ServerHandle } from '../../fixtures/servers/s3-server.js';
import { describeArtifactStoreConformance } from './conformance.js';

const BUCKET = 'artifacts-conformance';
let s3: S3ServerHandle;
let scratch: string;
let n = 0;
const stores: S3ArtifactStore[] = [];

function options(over: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...over,
  };
}

function track<T extends S3ArtifactStore>(store: T): T {
  stores.push(store);
  return store;
}

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  scratch = await mkdtemp(join(tmpdir(), 's3-store-'));
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await s3.close();
  await rm(scratch, { recursive: true, force: true });
});

describeArtifactStoreConformance('S3 (s3rver)', () => {
  const store = artifactStoreFromUrl(`s3://${BUCKET}/conf-${n++}`, { s3: options({ listPageSize: 5 }) });
  return Promise.resolve(track(store as S3ArtifactStore));
});

describe('S3ArtifactStore specifics', () => {
  let proxy: FaultProxyHandle;
  beforeAll(async () => {
    proxy = await startFaultProxy(s3.endpoint);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('uploads a file larger than one part as a multipart upload with 5 MiB parts', async () => {
    const store = track(
      new S3ArtifactStore(BUCKET, 'multipart/', options({ endpoint: proxy.endpoint, partSizeBytes: 5 * 1024 * 1024 })),
    );
    const data = randomBytes(11 * 1024 * 1024 + 123);
    const file = join(scratch, 'multi.bin');
    await writeFile(file, data);
    const before = proxy.requests.length;
    const info = await store.putFile('engine/rank0.engine', file);
    const reqs = proxy.requests.slice(before);
    expect(reqs.filter((r) => r.method === 'POST' && r.url.includes('uploads')).length).toBe(1);
    expect(reqs.filter((r) => r.method === 'PUT' && /[?&]partNumber=\d+/.test(r.url)).length).toBe(3);
    expect(reqs.filter((r) => r.method === 'POST' && r.url.includes('uploadId=')).length).toBe(1);
    expect(info).toMatchObject({ key: 'engine/rank0.engine', size: data.length });
    expect(await store.head('engine/rank0.engine')).toMatchObject({ size: data.length });
    const back = Buffer.from((await store.getBytes('engine/rank0.engine')) ?? []);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    // The store's key prefix is applied on the wire and stripped from list results.
    expect(reqs.some((r) => r.url.startsWith(`/${BUCKET}/multipart/engine/rank0.engine`))).toBe(true);
    expect((await store.list('')).map((o) => o.key)).toEqual(['engine/rank0.engine']);
  });

  it('sends a file of at most one part as a single PutObject', async () => {
    const store = track(new S3ArtifactStore(BUCKET, 'single/', options({ endpoint: proxy.endpoint })));
    const file = join(scratch, 'single.bin');
    await writeFile(file, randomBytes(1024 * 1024));
    const before = proxy.requests.length;
    await store.putFile('one.bin', file);
    const reqs = proxy.requests.slice(before);
    expect(reqs.map((r) => r.method)).toEqual(['PUT']);
    expect(reqs[0]?.url).not.toMatch(/partNumber|uploads/);
  });

  it('pages through listings with a marker', async () => {
    const store = track(new S3ArtifactStore(BUCKET, 'paged/', options({ endpoint: proxy.endpoint, listPageSize: 5 })));
    const keys = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await Promise.all(keys.map((k) => store.putBytes(k, k)));
    const before = proxy.requests.length;
    expect((await store.list('')).map((o) => o.key)).toEqual(keys);
    const lists = proxy.requests.slice(before);
    expect(lists.length).toBe(3);
    expect(lists[1]?.url).toContain('marker=paged%2Fk04');
  });

  it('maps a missing bucket to NO_SUCH_BUCKET', async () => {
    const store = track(new S3ArtifactStore('no-such-bucket-here', '', options({ maxAttempts: 1 })));
    await expect(store.putBytes('k', 'v')).rejects.toMatchObject({ code: 'NO_SUCH_BUCKET', retryable: false });
    await expect(store.list('')).rejects.toMatchObject({ code: 'NO_SUCH_BUCKET' });
  });

  it('never puts credentials in errors (planted access key id, secret and session token)', async () => {
    const planted = {
      accessKeyId: 'AKIAPLANTEDKEY0000042',
      secretAccessKey: 'planted-secret-Xy7Qz9Lm3Nk5Pw1Rt8Vb',
      sessionToken: 'planted-session-token-Hg4Jd6Fs2Ka0',
    };
    const store = track(new S3ArtifactStore(BUCKET, 'leak/', options({ credentials: planted, maxAttempts: 1 })));
    const failures: unknown[] = [];
    for (const op of [() => store.putBytes('k', 'v'), () => store.list(''), () => store.getBytes('k')]) {
      failures.push(
        await op().then(
          () => null,
          (e: unknown) => e,
        ),
      );
    }
    for (const err of failures) {
      expect(err).toMatchObject({ code: 'ACCESS_DENIED', name: 'ArtifactStoreError' });
      const text = `${String(err)}\n${inspect(err, { depth: 10, showHidden: true })}\n${JSON.stringify(err)}`;
      for (const secret of Object.values(planted)) expect(text).not.toContain(secret);
      expect(text).toContain('InvalidAccessKeyId');
    }
  });

  it('artifactStoreFromUrl rejects malformed URLs precisely', () => {
    expect(() => artifactStoreFromUrl('s3://Bad_Bucket/x')).toThrow(/not a valid S3 bucket name/);
    expect(() => artifactStoreFromUrl('s3://bucket/../x')).toThrow(/"\.\." segments/);
    expect(() => artifactStoreFromUrl('gs://bucket/x')).toThrow(/expected s3:\/\/bucket/);
    expect(() => artifactStoreFromUrl('file://host/x')).toThrow(/empty host/);
  });
});
