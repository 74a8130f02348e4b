/**
 * `trt-build fetch`: downloads a published build (its manifest's files) from the artifact store
 * into a directory, hashing each file while it streams and checking it against the manifest's
 * size and sha256. A file that does not match is not kept; `manifest.json` is written last, so
 * its presence means the directory is complete and verified.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StreamingArtifactStore } from '../storage/artifacts/readable-store.js';
import { buildPrefix, MANIFEST_FILE } from '../storage/publish/manifest.js';
import type { BuildManifest } from '../storage/publish/manifest.js';
import { readManifest } from '../storage/publish/read-manifest.js';
import { mapLimit } from '../storage/util/map-limit.js';
import { safeJoin } from '../storage/util/safe-path.js';

export interface BundleProblem {
  readonly path: string;
  readonly problem: 'missing' | 'size' | 'sha256';
}

export type FetchBundleResult =
  | { readonly kind: 'not_published' }
  | {
      readonly kind: 'fetched';
      readonly ok: boolean;
      readonly manifest: BuildManifest;
      readonly problems: readonly BundleProblem[];
      readonly bytes: number;
    };

/** Downloads and verifies the build published under `planHash` into `dir`. */
export async function fetchBundle(
  store: StreamingArtifactStore,
  planHash: string,
  dir: string,
  opts: { readonly concurrency?: number } = {},
): Promise<FetchBundleResult> {
  const manifest = await readManifest(store, planHash);
  if (manifest === null) return { kind: 'not_published' };
  const prefix = buildPrefix(planHash);
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  const results = await mapLimit(manifest.files, opts.concurrency ?? 4, async (file): Promise<BundleProblem | null> => {
    const target = safeJoin(dir, file.path);
    const stream = await store.getStream(prefix + file.path);
    if (stream === null) return { path: file.path, problem: 'missing' };
    await mkdir(dirname(target), { recursive: true });
    const part = `${target}.part`;
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(stream, tap, createWriteStream(part));
    } catch (err) {
      await rm(part, { force: true });
      throw err;
    }
    const problem = size !== file.size ? 'size' : hash.digest('hex') !== file.sha256 ? 'sha256' : null;
    if (problem !== null) {
      await rm(part, { force: true });
      return { path: file.path, problem };
    }
    await rename(part, target);
    bytes += size;
    return null;
  });
  const problems = results.filter((p): p is BundleProblem => p !== null);
  if (problems.length === 0) await writeFile(safeJoin(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { kind: 'fetched', ok: problems.length === 0, manifest, problems, bytes };
}
