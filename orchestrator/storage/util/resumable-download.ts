/**
 * The resumable, verified single-file download core shared by every source: bytes stream into
 * `<final>.partial` (continued from its current size when the source honours a range), sha256
 * (and md5 when the source gives one) is computed while streaming, and the file is renamed to its
 * final path only after the size, digest and LFS-pointer checks pass. A body cut mid-way is
 * resumed in the same call while it makes progress; otherwise the partial stays for the next try.
 * How bytes are requested (HTTP Range, S3 GetObject) is the `Opener`'s business.
 */
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { DirectBody } from './direct-get.js';
import { SourceError, toSourceError } from '../sources/errors.js';
import { createDigester, type Digester } from './digester.js';
import { assertNotLfsPointer } from './lfs-pointer.js';
import { receiveToFile } from './receive-to-file.js';

export interface FileSpec {
  /** Relative path of the file (for messages and the LFS pointer check). */
  readonly path: string;
  /** Label for messages, e.g. `hf:acme/tiny@abc123` (no secrets). */
  readonly label: string;
  readonly expectedSize: number | null;
  /** Lower-case hex digests to verify when the source provides them. */
  readonly sha256: string | null;
  readonly md5: string | null;
  /** Git blob id (40 hex) to verify, e.g. a non-LFS file's oid in a Hugging Face tree. */
  readonly gitBlobSha1?: string | null;
}

/** What an opener got back for a request starting at `offset`. */
export type Opened =
  /** A body; `fromStart` when it starts at byte 0 although a later offset was asked for. */
  | {
      readonly kind: 'body';
      readonly fromStart: boolean;
      readonly total: number | null;
      readonly etag: string | null;
      readonly body: Readable | DirectBody;
    }
  /** The range starts at the end: the partial already holds all `total` bytes (HTTP 416). */
  | { readonly kind: 'complete'; readonly total: number }
  /** The source answered a different range than asked: retry without a range. */
  | { readonly kind: 'badRange' };

/** Requests the bytes from `offset` (`offset` 0 or `noRange`: the whole file). Throws typed errors. */
export type Opener = (offset: number, noRange: boolean) => Promise<Opened>;

export interface ResumableOptions {
  readonly signal: AbortSignal;
  /** Byte deltas as they land (negative when a partial had to be discarded). */
  readonly onBytes?: (delta: number) => void;
  /** Resumes within this call after a body was cut while making progress (default 5). */
  readonly maxResumes?: number;
  /** Refuse bodies larger than this when the size is unknown (default: unlimited). */
  readonly maxBytes?: number;
  /** Secret values to scrub from wrapped error messages. */
  readonly secrets?: readonly string[];
}

export interface DownloadedFile {
  readonly size: number;
  /** sha256 of the file when one was expected (and verified), else null. */
  readonly sha256: string | null;
  readonly etag: string | null;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}

/** Feeds bytes [0, upTo) of `path` to the digester. */
export async function hashExisting(path: string, upTo: number, digester: Digester): Promise<void> {
  if (upTo <= 0) return;
  const rs = createReadStream(path, { start: 0, end: upTo - 1, highWaterMark: 4 << 20 });
  for await (const chunk of rs) digester.update(chunk as Buffer);
}

/** Downloads one file to `finalPath` through `openAt` (verified, atomically renamed; resumes from `<final>.partial`). */
export async function downloadResumable(
  spec: FileSpec,
  finalPath: string,
  openAt: Opener,
  opts: ResumableOptions,
): Promise<DownloadedFile> {
  const partial = `${finalPath}.partial`;
  const maxResumes = opts.maxResumes ?? 5;
  const what = `${spec.label}: ${spec.path}`;
  await mkdir(dirname(finalPath), { recursive: true });

  let offset = Math.max(0, await sizeOf(partial));
  if (spec.expectedSize !== null && offset > spec.expectedSize) {
    await truncate(partial, 0);
    offset = 0;
  }
  if (spec.expectedSize === 0) await writeFile(partial, '', { flag: 'a' });
  opts.onBytes?.(offset);
  let expected = spec.expectedSize;
  let etag: string | null = null;
  let resumes = 0;
  let noRange = false;

  const newHashes = (): Digester =>
    createDigester({
      sha256: spec.sha256 !== null,
      md5: spec.md5 !== null,
      gitBlobSize: spec.gitBlobSha1 != null ? spec.expectedSize : null,
    });
  // The digester and how many bytes of the partial it has seen; a resume after a cut keeps it
  // (every received byte was written and fed), so a large partial is not re-read from disk.
  let hashes: Digester | null = null;
  let fed = 0;
  const dropHashes = (): void => {
    hashes?.close();
    hashes = null;
  };
  try {
    for (;;) {
      if (opts.signal.aborted) throw new SourceError('FETCH_ABORTED', `${what}: fetch aborted`);
      if (hashes === null || fed !== offset) {
        dropHashes();
        const h = newHashes();
        hashes = h;
        // Hash what the partial holds before the request, so no I/O wait sits between the
        // response arriving and its listeners being attached.
        await hashExisting(partial, offset, h);
        fed = offset;
      }
      const digester: Digester = hashes;
      if (expected !== null && offset === expected) {
        hashes = null;
        return await finish(spec, partial, finalPath, offset, digester, etag, what);
      }
      const fh = await open(partial, constants.O_RDWR | constants.O_CREAT, 0o644);
      const restart = (): void => {
        dropHashes();
        opts.onBytes?.(-offset);
        offset = 0;
      };
      let opened: Opened;
      try {
        opened = await openAt(noRange ? 0 : offset, noRange);
      } catch (err) {
        await fh.close();
        throw toSourceError(err, { signal: opts.signal, secrets: opts.secrets ?? [], what });
      }
      if (opened.kind === 'badRange') {
        await fh.truncate(0);
        await fh.close();
        noRange = true;
        restart();
        continue;
      }
      if (opened.kind === 'complete') {
        await fh.close();
        if (opened.total === offset && (expected === null || expected === opened.total)) {
          expected = opened.total;
          continue;
        }
        await truncate(partial, 0);
        restart();
        continue;
      }
      etag = opened.etag;
      if (opened.fromStart && offset > 0) {
        restart();
        hashes = newHashes();
        fed = 0;
      }
      expected ??= opened.total;
      const start = offset;
      const limit = expected ?? opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
      const sink = hashes ?? digester;
      const failure = await receiveToFile(opened.body, fh, offset, limit, what, (chunk) => {
        // Hashed as it arrives, while the chunk is still in cache; `fed` then runs ahead of the
        // file only when a write failed, and the mismatch makes the next attempt rehash from disk.
        fed += chunk.length;
        sink.update(chunk);
        opts.onBytes?.(chunk.length);
      });
      offset = Math.max(0, await sizeOf(partial));
      if (failure !== null) {
        if (failure instanceof SourceError) {
          if (failure.code === 'SIZE_MISMATCH') await rm(partial, { force: true });
          throw failure;
        }
        if (opts.signal.aborted) throw new SourceError('FETCH_ABORTED', `${what}: fetch aborted (partial file kept)`);
        if (offset > start && resumes < maxResumes) {
          resumes++;
          continue;
        }
        const base = toSourceError(failure, { signal: opts.signal, secrets: opts.secrets ?? [], what });
        throw new SourceError(
          'DOWNLOAD_INTERRUPTED',
          `${base.message} (after ${offset} bytes; partial file kept for resume)`,
        );
      }
      if (expected !== null && offset < expected) {
        // Body ended early without a transport error (e.g. a lying Content-Length): resume.
        if (resumes < maxResumes) {
          resumes++;
          continue;
        }
        throw new SourceError(
          'DOWNLOAD_INTERRUPTED',
          `${what}: got ${offset} of ${expected} bytes (partial file kept for resume)`,
        );
      }
      hashes = null;
      return await finish(spec, partial, finalPath, offset, sink, etag, what);
    }
  } finally {
    dropHashes();
  }
}

async function finish(
  req: FileSpec,
  partial: string,
  finalPath: string,
  size: number,
  hashes: Digester,
  etag: string | null,
  what: string,
): Promise<DownloadedFile> {
  if (req.expectedSize !== null && size !== req.expectedSize) {
    hashes.close();
    await rm(partial, { force: true });
    throw new SourceError('SIZE_MISMATCH', `${what}: expected ${req.expectedSize} bytes, got ${size}`);
  }
  const { sha256: digest, md5: m, gitSha1 } = await hashes.digests();
  if (req.gitBlobSha1 != null && gitSha1 !== null && gitSha1 !== req.gitBlobSha1.toLowerCase()) {
    await rm(partial, { force: true });
    throw new SourceError(
      'CHECKSUM_MISMATCH',
      `${what}: git blob id ${gitSha1} does not match the expected ${req.gitBlobSha1}`,
    );
  }
  if (req.sha256 !== null && digest !== req.sha256.toLowerCase()) {
    await rm(partial, { force: true });
    throw new SourceError('CHECKSUM_MISMATCH', `${what}: sha256 ${digest} does not match the expected ${req.sha256}`);
  }
  if (req.md5 !== null) {
    if (m !== req.md5.toLowerCase()) {
      await rm(partial, { force: true });
      throw new SourceError('CHECKSUM_MISMATCH', `${what}: md5 ${m} does not match the expected ${req.md5}`);
    }
  }
  await assertNotLfsPointer(req.path, partial, size, what);
  await rename(partial, finalPath);
  return { size, sha256: digest, etag };
}
