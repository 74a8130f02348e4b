/**
 * Publishing to s3rver through a loopback proxy that fails a share of requests (500, 503, reset):
 * SDK retries (maxAttempts) carry the publish through; when failures persist, nothing is published.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ArtifactStore, type S3StoreOptions } from '../../../orchestrator/storage/artifacts/s3-store.js';
import { publishBuild, type PublishBuildInput } from '../../../orchestrator/storage/publish/publish-build.js';
import { isPublished } from '../../../orchestrator/storage/publish/read-manifest.js';
import { verifyPublished } from '../../../orchestrator/storage/publish/verify-published.js';
import { seededFaults, startFaultProxy, type FaultProxyHandle } from '../../fixtures/servers/fault-proxy.js';
import { startS3Server, type S3ServerHandle } from '../../fixtures/servers/s3-server.js';
import { PLAN_HASH, makeBuildDir, publishInput } from './helpers.js';

const BUCKET = 'publish-faults';
/** Request path without the query (the SDK appends e.g. `?x-id=PutObject`). */
const pathOf = (url: string): string => new URL(url, 'http://proxy').pathname;
const MiB = 1024 * 1024;
let s3: S3ServerHandle;
let proxy: FaultProxyHandle;
let base: string;
let n = 0;
const stores: S3ArtifactStore[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  proxy = await startFaultProxy(s3.endpoint);
  base = await mkdtemp(join(tmpdir(), 'publish-faults-'));
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await proxy.close();
  await s3.close();
  await rm(base, { recursive: true, force: true });
});

describe('publishing through a faulty network', () => {
  let prefix: string;
  let dir: string;
  const store = (over: Partial<S3StoreOptions> = {}, endpoint = proxy.endpoint): S3ArtifactStore => {
    const s = new S3ArtifactStore(BUCKET, prefix, {
      endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      partSizeBytes: 5 * MiB,
      ...over,
    });
    stores.push(s);
    return s;
  };
  /** A store straight to s3rver: what a reader sees, unaffected by the proxy. */
  const direct = (): S3ArtifactStore => store({}, s3.endpoint);
  const input = (s: S3ArtifactStore, over: Partial<PublishBuildInput> = {}): PublishBuildInput =>
    publishInput(s, dir, over);

  beforeEach(async () => {
    prefix = `f${n++}/`;
    dir = join(base, `build-${n++}`);
    // rank0 spans three 5 MiB parts, so part uploads are among the failed requests.
    await makeBuildDir(dir, { 'rank0.engine': 11 * MiB, 'rank1.engine': 2 * MiB });
    proxy.setFault(null);
  });

  it('completes despite ~30% of requests failing with 500, 503 or a reset, and verifies', async () => {
    const before = proxy.requests.length;
    const countsBefore = proxy.faultCounts();
    const random = seededFaults({ rate: 0.3, seed: 7 });
    const partsFailedOnce = new Set<string>();
    proxy.setFault((req) => {
      // Every multipart part fails its first attempt (request order varies between runs) …
      if (/partNumber=/.test(req.url) && !partsFailedOnce.has(req.url)) {
        partsFailedOnce.add(req.url);
        return 'reset';
      }
      // … and a seeded 30% of all other requests fail, cycling 500, 503, reset.
      return random(req);
    });
    const result = await publishBuild(input(store({ maxAttempts: 12 })));
    proxy.setFault(null);
    expect(result.status).toBe('published');
    const counts = proxy.faultCounts();
    const seen = proxy.requests.slice(before);
    expect(counts.http500 - countsBefore.http500).toBeGreaterThan(0);
    expect(counts.http503 - countsBefore.http503).toBeGreaterThan(0);
    expect(counts.reset - countsBefore.reset).toBeGreaterThan(0);
    expect(seen.filter((r) => r.fault !== null && /partNumber=/.test(r.url)).length).toBeGreaterThanOrEqual(3);
    expect(await verifyPublished(direct(), PLAN_HASH)).toMatchObject({ ok: true, problems: [] });
  });

  it('a file that keeps failing fails the publish retryably, and no manifest appears', async () => {
    const before = proxy.requests.length;
    proxy.setFault(({ method, url }) => (method === 'PUT' && url.includes('rank1.engine') ? 'http500' : null));
    const err: unknown = await publishBuild(input(store({ maxAttempts: 2 }))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'ArtifactStoreError', code: 'STORE_IO', retryable: true });
    expect(String((err as Error).message)).toMatch(/rank1\.engine failed: InternalError \(HTTP 500\)/);
    const seen = proxy.requests.slice(before);
    expect(seen.filter((r) => r.method === 'PUT' && pathOf(r.url).includes('rank1.engine')).length).toBe(2); // maxAttempts
    expect(seen.some((r) => r.method === 'PUT' && pathOf(r.url).endsWith('manifest.json'))).toBe(false);
    expect(await isPublished(direct(), PLAN_HASH)).toBe(false);
    expect(await verifyPublished(direct(), PLAN_HASH)).toMatchObject({
      ok: false,
      problems: [{ path: 'manifest.json', problem: 'missing' }],
    });

    proxy.setFault(null);
    expect((await publishBuild(input(store()))).status).toBe('published');
    expect((await verifyPublished(direct(), PLAN_HASH)).ok).toBe(true);
  });

  it('a multipart part that keeps failing aborts the upload: no object and no manifest', async () => {
    const before = proxy.requests.length;
    proxy.setFault(({ method, url }) =>
      method === 'PUT' && url.includes('rank0.engine') && url.includes('partNumber=2') ? 'reset' : null,
    );
    await expect(publishBuild(input(store({ maxAttempts: 2 }), { concurrency: 1 }))).rejects.toMatchObject({
      code: 'STORE_IO',
    });
    proxy.setFault(null);
    const reader = direct();
    expect(await reader.head(`builds/${PLAN_HASH.slice(7)}/artifact/rank0.engine`)).toBeNull();
    expect(
      proxy.requests
        .slice(before)
        .some((r) => r.method === 'DELETE' && r.url.includes('rank0.engine') && r.url.includes('uploadId=')),
    ).toBe(true);
    expect(await isPublished(reader, PLAN_HASH)).toBe(false);
  });

  it('when only the manifest write fails, the build is not published; a retry publishes it', async () => {
    proxy.setFault(({ method, url }) =>
      method === 'PUT' && pathOf(url).endsWith('/manifest.json') ? 'http500' : null,
    );
    await expect(publishBuild(input(store({ maxAttempts: 3 })))).rejects.toMatchObject({ code: 'STORE_IO' });
    expect(await isPublished(direct(), PLAN_HASH)).toBe(false);
    proxy.setFault(null);
    const rec = await publishBuild(input(store()));
    expect(rec.status).toBe('published');
    expect((await verifyPublished(direct(), PLAN_HASH)).ok).toBe(true);
  });

  it('errors from a failed publish never contain the credentials', async () => {
    const planted = { accessKeyId: s3.accessKeyId, secretAccessKey: 'planted-publish-secret-9f8e7d6c5b4a' };
    proxy.setFault(() => 'http500');
    const err: unknown = await publishBuild(input(store({ maxAttempts: 2, credentials: planted }))).then(
      () => null,
      (e: unknown) => e,
    );
    proxy.setFault(null);
    expect(err).toMatchObject({ code: 'STORE_IO' });
    const text = `${String(err)}\n${inspect(err, { depth: 10, showHidden: true })}\n${JSON.stringify(err)}`;
    expect(text).not.toContain(planted.secretAccessKey);
  });
});
