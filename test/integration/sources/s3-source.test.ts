import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import type { DownloadOptions } from '../../../orchestrator/storage/sources/port.js';
import { s3Source } from '../../../orchestrator/storage/sources/s3-source.js';
import { startS3Server, type S3ServerHandle } from '../../fixtures/servers/s3-server.js';
import { caught } from './caught-source-error.js';

let s3: S3ServerHandle;
let put: S3Client;
let tmp: string;
const big = randomBytes(1_300_000);
const cfg = Buffer.from('{"model_type":"llama"}');
const PLANTED = 'planted-aws-secret-value-123';

const goodSecret = () =>
  JSON.stringify({ aws_access_key_id: s3.accessKeyId, aws_secret_access_key: s3.secretAccessKey });
function item(repo: string, over: Partial<FetchItem> = {}): FetchItem {
  return {
    role: 'checkpoint',
    name: null,
    source: 'S3',
    repo,
    revision: null,
    repoType: 'model',
    secretName: 's3',
    dest: '/workspace/inputs/checkpoint',
    ...over,
  };
}
const src = (kind: 'S3' | 'GCS' = 'S3') =>
  s3Source({
    kind,
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    rangedThreshold: 1 << 20,
    partSize: 256 << 10,
    partConcurrency: 3,
  });
const ctx = (secret = goodSecret()) => ({ secrets: { s3: secret }, signal: new AbortController().signal });
const dl = (): DownloadOptions => ({ secrets: { s3: goodSecret() }, signal: new AbortController().signal });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 's3-src-'));
  s3 = await startS3Server();
  await s3.createBucket('ckpts');
  put = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const objects: [string, Buffer][] = [
    ['models/tiny/config.json', cfg],
    ['models/tiny/model.safetensors', big],
    ['models/tiny/sub/tok.json', Buffer.from('{}')],
    ['models/tiny/empty/', Buffer.alloc(0)],
    ['models/tinyX/other.bin', Buffer.from('no')],
  ];
  for (const [Key, Body] of objects) await put.send(new PutObjectCommand({ Bucket: 'ckpts', Key, Body }));
});
afterAll(async () => {
  put.destroy();
  await s3.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('S3 source against s3rver', () => {
  it('lists the prefix, pins an ETag identity, and downloads (ranged for large objects) verified', async () => {
    const r = await src().resolve(item('s3://ckpts/models/tiny'), ctx());
    expect(r.files.map((f) => [f.path, f.size])).toEqual([
      ['config.json', cfg.length],
      ['model.safetensors', big.length],
      ['sub/tok.json', 2],
    ]);
    expect(r.resolvedRevision).toMatch(/^etags-sha256:[0-9a-f]{64}$/);
    expect((await src().resolve(item('s3://ckpts/models/tiny/'), ctx())).resolvedRevision).toBe(r.resolvedRevision);
    const dest = join(tmp, 'ok');
    let last = 0;
    const res = await src().download(r, dest, { ...dl(), onProgress: (p) => (last = p.bytesDone) });
    expect(res.bytes).toBe(big.length + cfg.length + 2);
    expect(last).toBe(res.bytes);
    expect((await readFile(join(dest, 'model.safetensors'))).equals(big)).toBe(true);
    expect(await readFile(join(dest, 'sub/tok.json'), 'utf8')).toBe('{}');
    expect((await readdir(dest)).sort()).toEqual(['config.json', 'model.safetensors', 'sub']);
  });

  it('resumes a ranged download from its parts file and checks the MD5 ETag', async () => {
    const r = await src().resolve(item('s3://ckpts/models/tiny'), ctx());
    const dest = join(tmp, 'resume');
    await mkdir(dest, { recursive: true });
    // Part 0 is recorded as done but holds wrong bytes: it must not be refetched, so the MD5 check fails.
    const bad = Buffer.from(big);
    bad.fill(0, 0, 1000);
    await writeFile(join(dest, 'model.safetensors.partial'), bad);
    await writeFile(join(dest, 'model.safetensors.partial.parts'), '[0]');
    const err = await caught(src().download(r, dest, { ...dl(), allow: ['model.safetensors'] }));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    // Correct done parts and garbage elsewhere: only missing parts are fetched, and the result is right.
    const half = Buffer.from(big);
    half.fill(7, 256 << 10);
    await writeFile(join(dest, 'model.safetensors.partial'), half);
    await writeFile(join(dest, 'model.safetensors.partial.parts'), '[0]');
    await src().download(r, dest, { ...dl(), allow: ['model.safetensors'] });
    expect((await readFile(join(dest, 'model.safetensors'))).equals(big)).toBe(true);
    expect(await readdir(dest)).toEqual(['model.safetensors']);
  });

  it('detects an object that changed after resolve', async () => {
    await put.send(new PutObjectCommand({ Bucket: 'ckpts', Key: 'models/moving/w.bin', Body: 'one' }));
    const r = await src().resolve(item('s3://ckpts/models/moving'), ctx());
    await put.send(new PutObjectCommand({ Bucket: 'ckpts', Key: 'models/moving/w.bin', Body: 'two' }));
    const err = await caught(src().download(r, join(tmp, 'moving'), dl()));
    // s3rver ignores If-Match, so the MD5-ETag check catches it (AWS answers 412 → ETAG_CHANGED,
    // see test/unit/sources/error-mapping.test.ts).
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(await readdir(join(tmp, 'moving'))).toEqual([]);
    expect(err.retryable).toBe(true);
  });

  it('maps missing buckets, empty prefixes, bad secrets and denied keys to typed errors without secrets', async () => {
    expect((await caught(src().resolve(item('s3://nope-bucket/x'), ctx()))).code).toBe('SOURCE_NOT_FOUND');
    expect((await caught(src().resolve(item('s3://ckpts/does/not/exist'), ctx()))).code).toBe('SOURCE_NOT_FOUND');
    expect((await caught(src().resolve(item('s3://ckpts/x'), ctx('not json')))).code).toBe('SOURCE_SECRET_INVALID');
    expect((await caught(src().resolve(item('s3:/bad'), ctx()))).code).toBe('SOURCE_REPO_INVALID');
    expect((await caught(src().resolve(item('s3://ckpts/a/../b'), ctx()))).code).toBe('SOURCE_REPO_INVALID');
    const denied = await caught(
      src().resolve(
        item('s3://ckpts/models/tiny'),
        ctx(JSON.stringify({ aws_access_key_id: 'WRONGKEYID', aws_secret_access_key: PLANTED })),
      ),
    );
    expect(denied.code).toBe('SOURCE_UNAUTHORIZED');
    expect(JSON.stringify(denied.toFailure()) + String(denied.stack)).not.toContain(PLANTED);
  });

  it('serves gs:// repos through the same S3-interoperable path (GCS XML API)', async () => {
    const r = await src('GCS').resolve(item('gs://ckpts/models/tiny', { source: 'GCS' }), ctx());
    expect(r.source).toBe('GCS');
    await src('GCS').download(r, join(tmp, 'gcs'), { ...dl(), allow: ['config.json'] });
    expect(
      createHash('sha256')
        .update(await readFile(join(tmp, 'gcs/config.json')))
        .digest('hex'),
    ).toBe(createHash('sha256').update(cfg).digest('hex'));
  });
});
