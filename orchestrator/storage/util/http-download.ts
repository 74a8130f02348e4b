/**
 * Resumable, verified download of one HTTP(S) URL to a file: bytes stream into `<final>.partial`
 * (appended with `Range` when a partial exists, guarded by `If-Range`), sha256 (and md5 when the
 * source gives one) is computed while streaming, and the file is renamed to its final path only
 * after the size and digest checks pass. A body cut mid-way is resumed in the same call while it
 * makes progress; otherwise the partial file stays for the next attempt.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { SourceError, toSourceError } from '../sources/errors.js';
import { httpGet, type HttpGetResponse } from './http-get.js';
import { assertNotLfsPointer } from './lfs-pointer.js';

const FLUSH_BYTES = 4 << 20;

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
  readonly mapStatus?: (status: number, errorCode: string | null, label: string) => SourceError | null;
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
    const newHashes = (): Hash[] => (req.md5 !== null ? [createHash('sha256'), createHash('md5')] : [createHash('sha256')]);
    let hashes = newHashes();
    // Hash what the partial holds and open it before the request, so no I/O wait sits between
    // the response arriving and its listeners being attached.
    await hashExisting(partial, offset, hashes);
    if (expected !== null && offset === expected) {
      return finish(req, partial, finalPath, offset, hashes, etag, what);
    }
    const headers: Record<string, string> = { ...req.headers, 'accept-encoding': 'identity' };
    if (offset > 0 && !resumeRejected) {
      headers['range'] = `bytes=${offset}-`;
      if (req.ifRange !== null) headers['if-range'] = req.ifRange;
    }
    const fh = await open(partial, constants.O_RDWR | constants.O_CREAT, 0o644);
    let res: HttpGetResponse;
    try {
      res = await httpGet(req.url, headers, opts.signal);
    } catch (err) {
      await fh.close();
      throw toSourceError(err, { signal: opts.signal, secrets: opts.secrets ?? [], what });
    }
    etag = res.header('etag');
    const restart = (): void => {
      hashes = newHashes();
      opts.onBytes?.(-offset);
      offset = 0;
    };
    if (res.status === 206) {
      const cr = parseContentRange(res.header('content-range'));
      if (cr === null || cr.start !== offset) {
        res.body.destroy();
        await fh.truncate(0);
        await fh.close();
        resumeRejected = true;
        restart();
        continue;
      }
      expected ??= cr.total;
    } else if (res.status === 200) {
      // Range ignored (or If-Range saw a changed object): start over from zero.
      if (offset > 0) restart();
      const len = res.header('content-length');
      if (expected === null && len !== null && /^\d+$/.test(len)) expected = Number(len);
    } else {
      res.body.resume();
      await fh.close();
      if (res.status === 416 && offset > 0) {
        const total = Number(/\/(\d+)$/.exec(res.header('content-range') ?? '')?.[1] ?? NaN);
        if (total === offset && (expected === null || expected === total)) {
          expected = total;
          continue;
        }
        await truncate(partial, 0);
        restart();
        continue;
      }
      throw opts.mapStatus?.(res.status, res.header('x-error-code'), what) ?? statusError(res.status, what);
    }
    const start = offset;
    const limit = expected ?? opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const failure = await receive(res.body, fh, offset, limit, what, (chunk) => {
      for (const h of hashes) h.update(chunk);
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
      throw new SourceError('DOWNLOAD_INTERRUPTED', `${base.message} (after ${offset} bytes; partial file kept for resume)`);
    }
    if (expected !== null && offset < expected) {
      // Body ended early without a transport error (e.g. a lying Content-Length): resume.
      if (resumes < maxResumes) {
        resumes++;
        continue;
      }
      throw new SourceError('DOWNLOAD_INTERRUPTED', `${what}: got ${offset} of ${expected} bytes (partial file kept for resume)`);
    }
    return finish(req, partial, finalPath, offset, hashes, etag, what);
  }
}

async function finish(
  req: HttpFileRequest,
  partial: string,
  finalPath: string,
  size: number,
  hashes: readonly Hash[],
  etag: string | null,
  what: string,
): Promise<HttpFileResult> {
  if (req.expectedSize !== null && size !== req.expectedSize) {
    await rm(partial, { force: true });
    throw new SourceError('SIZE_MISMATCH', `${what}: expected ${req.expectedSize} bytes, got ${size}`);
  }
  const [sha, md5] = hashes;
  const digest = (sha as Hash).digest('hex');
  if (req.sha256 !== null && digest !== req.sha256.toLowerCase()) {
    await rm(partial, { force: true });
    throw new SourceError('CHECKSUM_MISMATCH', `${what}: sha256 ${digest} does not match the expected ${req.sha256}`);
  }
  if (md5 !== undefined && req.md5 !== null) {
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

/**
 * Streams `body` into `fh` in flowing mode (so every received byte reaches the file before a cut
 * connection is reported), batching writes and pausing the socket while a write is in flight.
 * Resolves with the failure (null when the body ended normally); the file handle is closed.
 */
function receive(
  body: IncomingMessage,
  fh: FileHandle,
  startAt: number,
  limit: number,
  what: string,
  onChunk: (chunk: Buffer) => void,
): Promise<unknown> {
  return new Promise<unknown>((resolve) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let position = startAt;
    let received = startAt;
    let inflight: Promise<void> = fh.truncate(startAt);
    let settled = false;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const buf = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const at = position;
      position += buf.length;
      await fh.write(buf, 0, buf.length, at);
    };
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      body.removeAllListeners('data');
      if (err !== null) body.destroy();
      inflight
        .then(flush)
        .then(
          () => err,
          (e: unknown) => err ?? e,
        )
        .then(async (result) => {
          await fh.close().catch(() => undefined);
          resolve(result);
        }, resolve);
    };
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (received + chunk.length > limit) {
        settle(new SourceError('SIZE_MISMATCH', `${what}: body exceeds the expected ${limit} bytes`));
        return;
      }
      received += chunk.length;
      onChunk(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= FLUSH_BYTES) {
        body.pause();
        inflight = inflight.then(flush).then(
          () => {
            if (!settled) body.resume();
          },
          (e: unknown) => settle(e),
        );
      }
    });
    body.on('end', () => settle(null));
    body.on('error', (e) => settle(e));
    body.on('close', () => {
      if (!body.complete) settle(new Error('connection closed before the body ended'));
    });
    if (body.destroyed && !body.complete) settle(new Error('connection closed before the body ended'));
  });
}
