/**
 * Publish throughput vs single-stream PutObject, same bytes, same s3rver, same run.
 *
 * s3rver runs in its own Node process (as a real S3 endpoint would be out of process), so its
 * request handling does not share the event loop with the uploader being measured.
 *
 * Writes a multi-file "engine" directory (default 1 GiB: 8 × 128 MiB), then alternates, `rounds`
 * times: (a) each file uploaded with one streaming PutObject, one after another (the baseline);
 * (b) the same files through lib-storage `Upload` with publish's part size and parallelism, no
 * hashing and no manifest (what the multipart transfer alone costs on this server);
 * (c) `publishBuild` of the directory (sha256 of every file, parallel multipart uploads, manifest
 * last). Objects are deleted between runs. Prints throughputs (best round) and the ratios.
 *
 * Usage: npx tsx bench/fetch/publish-vs-putobject.ts [--mib 1024] [--files 8] [--rounds 2]
 *        [--concurrency 4] [--part-mib 8] [--queue 4]
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { S3ArtifactStore } from '../../orchestrator/storage/artifacts/s3-store.js';
import { mapLimit } from '../../orchestrator/storage/util/map-limit.js';
import { sha256File } from '../../orchestrator/storage/publish/hash-file.js';
import { publishBuild } from '../../orchestrator/storage/publish/publish-build.js';
import { verifyPublished } from '../../orchestrator/storage/publish/verify-published.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '1024' },
    files: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    'part-mib': { type: 'string', default: '8' },
    queue: { type: 'string', default: '4' },
  },
});
const MiB = 1024 * 1024;
const totalMiB = Number(args.mib);
const fileCount = Number(args.files);
const rounds = Number(args.rounds);
const fileBytes = Math.floor((totalMiB * MiB) / fileCount);
const totalBytes = fileBytes * fileCount;
const BUCKET = 'bench';
const PLAN_HASH = `sha256:${'be'.repeat(32)}`;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
const mibps = (bytes: number, s: number): string => `${(bytes / MiB / s).toFixed(1)} MiB/s`;

/** Starts s3rver in a child process on a free port; resolves once it listens. */
async function startS3rverProcess(dataDir: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const code = `
    import S3rver from 's3rver';
    const server = new S3rver({ address: '127.0.0.1', port: 0, directory: process.argv[1], silent: true });
    const { port } = await server.run();
    console.log(JSON.stringify({ port }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  const { port } = JSON.parse(first) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-publish-'));
const s3dir = await mkdtemp(join(tmpdir(), 'bench-s3rver-'));
const server = await startS3rverProcess(s3dir);
const s3 = { endpoint: server.endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
// WHEN_REQUIRED: with the default (WHEN_SUPPORTED) a streaming PutObject is sent aws-chunked with a
// trailing CRC32, which s3rver stores verbatim (framing included), so the baseline would upload
// corrupt objects. Plain bytes keep the baseline honest; its object sizes are checked below.
const client = new S3Client({
  requestChecksumCalculation: 'WHEN_REQUIRED',
  region: s3.region,
  endpoint: s3.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});
const store = new S3ArtifactStore(BUCKET, '', {
  endpoint: s3.endpoint,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  partSizeBytes: Number(args['part-mib']) * MiB,
  queueSize: Number(args.queue),
});

async function emptyBucket(): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => k !== undefined);
    if (keys.length === 0) return;
    for (const Key of keys) await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }));
  }
}

try {
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const names = Array.from({ length: fileCount }, (_, i) => `rank${i}.engine`);
  const chunk = randomBytes(16 * MiB);
  for (const name of names) {
    const parts: Buffer[] = [];
    for (let off = 0; off < fileBytes; off += chunk.length)
      parts.push(chunk.subarray(0, Math.min(chunk.length, fileBytes - off)));
    // Make every file distinct so no layer can deduplicate.
    const head = randomBytes(64);
    const body = Buffer.concat(parts);
    head.copy(body, 0);
    await writeFile(join(dir, name), body);
  }
  console.log(
    `data: ${fileCount} files x ${(fileBytes / MiB).toFixed(1)} MiB = ${(totalBytes / MiB).toFixed(0)} MiB in ${dir}`,
  );
  console.log(
    `s3rver (child process) at ${s3.endpoint}; publish: ${args.concurrency} files in parallel, ${args['part-mib']} MiB parts, queue ${args.queue}`,
  );

  // Hash-only pass (part of every publish): how much of the publish time is sha256.
  let start = process.hrtime.bigint();
  for (const name of names) await sha256File(join(dir, name));
  const hashS = seconds(start);
  console.log(`sha256 only (sequential, page-cached): ${hashS.toFixed(2)} s, ${mibps(totalBytes, hashS)}`);

  let bestBase = Infinity;
  let bestRaw = Infinity;
  let bestPublish = Infinity;
  for (let r = 1; r <= rounds; r++) {
    await emptyBucket();
    start = process.hrtime.bigint();
    for (const name of names) {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `single/${name}`,
          Body: createReadStream(join(dir, name)),
          ContentLength: fileBytes,
        }),
      );
    }
    const baseS = seconds(start);
    for (const name of names) {
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `single/${name}` }));
      if (head.ContentLength !== fileBytes)
        throw new Error(`baseline stored ${head.ContentLength} bytes for ${name}, expected ${fileBytes}`);
    }
    bestBase = Math.min(bestBase, baseS);
    await emptyBucket();

    start = process.hrtime.bigint();
    await mapLimit(names, Number(args.concurrency), async (name) => {
      const partSize = Number(args['part-mib']) * MiB;
      const Body = createReadStream(join(dir, name), { highWaterMark: MiB });
      await new Upload({
        client,
        params: { Bucket: BUCKET, Key: `raw/${name}`, Body },
        partSize,
        queueSize: Number(args.queue),
      }).done();
    });
    const rawS = seconds(start);
    bestRaw = Math.min(bestRaw, rawS);
    await emptyBucket();

    start = process.hrtime.bigint();
    const result = await publishBuild({
      store,
      planHash: PLAN_HASH,
      sourceDir: dir,
      launchFiles: [],
      meta: {
        artifactKind: 'engine',
        lane: { name: 'v1-engine', image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0', trtllmVersion: '1.2.0' },
        gpu: { type: 'H100', sm: 90, count: fileCount },
        sources: [],
        config: {},
      },
      now: new Date(0),
      concurrency: Number(args.concurrency),
    });
    const pubS = seconds(start);
    bestPublish = Math.min(bestPublish, pubS);
    if (result.status !== 'published') throw new Error(`unexpected publish status ${result.status}`);
    console.log(
      `round ${r}: single-stream PutObject ${baseS.toFixed(2)} s (${mibps(totalBytes, baseS)}); ` +
        `raw parallel Upload ${rawS.toFixed(2)} s (${mibps(totalBytes, rawS)}); publishBuild ${pubS.toFixed(2)} s (${mibps(totalBytes, pubS)})`,
    );
    if (r === rounds) {
      start = process.hrtime.bigint();
      const v = await verifyPublished(store, PLAN_HASH);
      const vS = seconds(start);
      console.log(
        `verifyPublished (download + sha256 of every file): ${v.ok ? 'ok' : 'FAILED'} in ${vS.toFixed(2)} s (${mibps(totalBytes, vS)})`,
      );
    }
  }
  console.log('');
  console.log(`single-stream PutObject (best of ${rounds}): ${mibps(totalBytes, bestBase)}`);
  console.log(`raw parallel Upload     (best of ${rounds}): ${mibps(totalBytes, bestRaw)}`);
  console.log(`publishBuild            (best of ${rounds}): ${mibps(totalBytes, bestPublish)}`);
  console.log(`ratio publish / PutObject: ${(bestBase / bestPublish).toFixed(2)}`);
  console.log(`ratio publish / raw parallel Upload: ${(bestRaw / bestPublish).toFixed(2)}`);
} finally {
  client.destroy();
  store.destroy();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(s3dir, { recursive: true, force: true });
}
