/**
 * Resumable, verified download of one HTTP(S) URL to a file: bytes stream into `<final>.partial`
 * (appended with `Range` when a partial exists, guarded by `If-Range`), sha256 (and md5 when the
 * source gives one) is computed while streaming, and the file is renamed to its final path only
 * after the size and digest checks pass. A body cut mid-way is resumed in the same call while it
 * makes progress; otherwise the partial file stays for the next attempt.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { SourceError, toSourceError } from '../sources/errors.js';
import { assertNotLfsPointer } from './lfs-pointer.js';

export interface HttpFileRequest {
  readonly url: string;
  /** Auth headers (never logged). */
  readonly headers: Readonly<Record<string, string>>;
  /** Relative path of the file (for messages and the LFS pointer check). */
  readonly path: string;
  /** Label for messages, e.g. `hf:acme/tiny@abc123` (no secrets). */
  readonly label: string;
  readonly expectedSize: number | null;
  /** Lower-case hex digests to verify when the source provides them. */
  readonly sha256: string | null;
  readonly md5: string | null;
  /** Strong ETag or Last-Modified for `If-Range`, so a changed object restarts from zero. */
  readonly ifRange: string | null;
}

export interface HttpFileOptions {
  readonly signal: AbortSignal;
  /** Byte deltas as they land (negative when a partial had to be discarded). */
  readonly onBytes?: (delta: number) => void;
  /** Resumes within this call after a body was cut while making progress (default 5). */
  readonly maxResumes?: number;
  /** Refuse bodies larger than this when the size is unknown (default: unlimited). */
  readonly maxBytes?: number;
  /** Source-specific status mapping (e.g. HF X-Error-Code); null falls back to the generic one. */
  readonly mapStatus?: (res: Response, label: string) => SourceError | null;
  readonly fetchImpl?: typeof fetch;
  /** Secret values to scrub from wrapped error messages. */
  readonly secrets?: readonly string[];
}

export interface HttpFileResult {
  readonly size: number;
  readonly sha256: string;
  readonly etag: string | null;
}

/** Generic status → error mapping for file GETs. */
export function statusError(status: number, label: string): SourceError {
  if (status === 401 || status === 403) return new SourceError('SOURCE_UNAUTHORIZED', `${label}: access denied (HTTP ${status}); check the credential secret`);
  if (status === 404) return new SourceError('SOURCE_NOT_FOUND', `${label}: not found (HTTP 404)`);
  if (status === 412) return new SourceError('ETAG_CHANGED', `${label}: the object changed during the fetch (HTTP 412)`);
  if (status === 408 || status === 429 || status >= 500) return new SourceError('HTTP_SERVER_ERROR', `${label}: server error (HTTP ${status})`);
  return new SourceError('HTTP_ERROR', `${label}: unexpected HTTP ${status}`);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}

async function hashExisting(path: string, upTo: number, hashes: readonly Hash[]): Promise<void> {
  if (upTo <= 0) return;
  const rs = createReadStream(path, { start: 0, end: upTo - 1, highWaterMark: 1 << 20 });
  for await (const chunk of rs) for (const h of hashes) h.update(chunk as Buffer);
}

function parseContentRange(v: string | null): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(v ?? '');
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

/** Downloads `req.url` to `finalPath` (verified, atomically renamed). Resumes from `<final>.partial`. */
export async function downloadHttpFile(req: HttpFileRequest, finalPath: string, opts: HttpFileOptions): Promise<HttpFileResult> {
  const partial = `${finalPath}.partial`;
  const doFetch = opts.fetchImpl ?? fetch;
  const maxResumes = opts.maxResumes ?? 5;
  const what = `${req.label}: ${req.path}`;
  await mkdir(dirname(finalPath), { recursive: true });

  let offset = Math.max(0, await sizeOf(partial));
  if (req.expectedSize !== null && offset > req.expectedSize) {
    await truncate(partial, 0);
    offset = 0;
  }
  opts.onBytes?.(offset);
  let expected = req.expectedSize;
  let etag: string | null = null;
  let resumes = 0;
  let resumeRejected = false;

  for (;;) {
    if (opts.signal.aborted) throw new SourceError('FETCH_ABORTED', `${what}: fetch aborted`);
    const sha = createHash('sha256');
    const md5 = req.md5 !== null ? createHash('md5') : null;
    const hashes = md5 ? [sha, md5] : [sha];
    const complete = expected !== null && offset === expected;
    if (!complete) {
      const headers: Record<string, string> = { ...req.headers, 'accept-encoding': 'identity' };
      if (offset > 0 && !resumeRejected) {
        headers['range'] = `bytes=${offset}-`;
        if (req.ifRange !== null) headers['if-range'] = req.ifRange;
      }
      let res: Response;
      try {
        res = await doFetch(req.url, { headers, signal: opts.signal, redirect: 'follow' });
      } catch (err) {
        throw toSourceError(err, { signal: opts.signal, secrets: opts.secrets ?? [], what });
      }
      etag = res.headers.get('etag');
      let append = false;
      if (res.status === 206) {
        const cr = parseContentRange(res.headers.get('content-range'));
        if (cr === null || cr.start !== offset) {
          await res.body?.cancel();
          resumeRejected = true;
          await truncate(partial, 0);
          opts.onBytes?.(-offset);
          offset = 0;
          continue;
        }
        expected ??= cr.total;
        append = true;
      } else if (res.status === 200) {
        if (offset > 0) {
          // Range ignored (or If-Range mismatch): start over from zero.
          await truncate(partial, 0);
          opts.onBytes?.(-offset);
          offset = 0;
        }
        const len = res.headers.get('content-length');
        if (expected === null && len !== null && /^\d+$/.test(len)) expected = Number(len);
      } else if (res.status === 416 && offset > 0) {
        await res.body?.cancel();
        const cr = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
        const total = cr ? Number(cr[1]) : null;
        if (total !== null && total === offset && (expected === null || expected === total)) {
          expected = total;
        } else {
          await truncate(partial, 0);
          opts.onBytes?.(-offset);
          offset = 0;
          continue;
        }
      } else {
        await res.body?.cancel();
        throw opts.mapStatus?.(res, what) ?? statusError(res.status, what);
      }
      if (res.status !== 416) {
        if (res.body === null) throw new SourceError('INVALID_RESPONSE', `${what}: empty response body`);
        if (append) await hashExisting(partial, offset, hashes);
        const start = offset;
        const limit = expected ?? opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
        let written = offset;
        const meter = new Transform({
          transform(chunk: Buffer, _enc, cb): void {
            written += chunk.length;
            if (written > limit) {
              cb(new SourceError('SIZE_MISMATCH', `${what}: body exceeds the expected ${limit} bytes`));
              return;
            }
            for (const h of hashes) h.update(chunk);
            opts.onBytes?.(chunk.length);
            cb(null, chunk);
          },
        });
        try {
          await pipeline(
            Readable.fromWeb(res.body as unknown as NodeWebReadableStream<Uint8Array>),
            meter,
            createWriteStream(partial, { flags: append ? 'a' : 'w' }),
            { signal: opts.signal },
          );
        } catch (err) {
          offset = Math.max(0, await sizeOf(partial));
          if (err instanceof SourceError) {
            if (err.code === 'SIZE_MISMATCH') await rm(partial, { force: true });
            throw err;
          }
          if (opts.signal.aborted) throw new SourceError('FETCH_ABORTED', `${what}: fetch aborted (partial file kept)`);
          if (offset > start && resumes < maxResumes) {
            resumes++;
            continue;
          }
          const base = toSourceError(err, { signal: opts.signal, secrets: opts.secrets ?? [], what });
          throw new SourceError('DOWNLOAD_INTERRUPTED', `${base.message} (after ${offset} bytes; partial file kept for resume)`);
        }
        offset = written;
        if (expected !== null && offset < expected) {
          // Body ended early without a transport error (e.g. a lying Content-Length): resume.
          if (resumes < maxResumes) {
            resumes++;
            continue;
          }
          throw new SourceError('DOWNLOAD_INTERRUPTED', `${what}: got ${offset} of ${expected} bytes (partial file kept for resume)`);
        }
        return finish(req, partial, finalPath, offset, sha, md5, etag, what);
      }
    }
    // The partial already holds every byte: hash it and finish.
    await hashExisting(partial, offset, hashes);
    return finish(req, partial, finalPath, offset, sha, md5, etag, what);
  }
}

async function finish(
  req: HttpFileRequest,
  partial: string,
  finalPath: string,
  size: number,
  sha: Hash,
  md5: Hash | null,
  etag: string | null,
  what: string,
): Promise<HttpFileResult> {
  if (req.expectedSize !== null && size !== req.expectedSize) {
    await rm(partial, { force: true });
    throw new SourceError('SIZE_MISMATCH', `${what}: expected ${req.expectedSize} bytes, got ${size}`);
  }
  const digest = sha.digest('hex');
  if (req.sha256 !== null && digest !== req.sha256.toLowerCase()) {
    await rm(partial, { force: true });
    throw new SourceError('CHECKSUM_MISMATCH', `${what}: sha256 ${digest} does not match the expected ${req.sha256}`);
  }
  if (md5 !== null && req.md5 !== null) {
    const m = md5.digest('hex');
    if (m !== req.md5.toLowerCase()) {
      await rm(partial, { force: true });
      throw new SourceError('CHECKSUM_MISMATCH', `${what}: md5 ${m} does not match the expected ${req.md5}`);
    }
  }
  await assertNotLfsPointer(req.path, partial, size, what);
  await rename(partial, finalPath);
  return { size, sha256: digest, etag };
}
