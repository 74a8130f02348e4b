/**
 * Resumable, verified download of one HTTP(S) URL: the `Opener` for `downloadResumable` that asks
 * for `Range: bytes=<offset>-` (guarded by `If-Range`, so a changed object restarts from zero) and
 * maps statuses to typed errors.
 */
import type { OutboundPolicy } from '../../net/address-policy.js';
import { SourceError } from '../sources/errors.js';
import { directGet } from './direct-get.js';
import {
  downloadResumable,
  type DownloadedFile,
  type FileSpec,
  type Opened,
  type ResumableOptions,
} from './resumable-download.js';

export interface HttpFileRequest extends FileSpec {
  readonly url: string;
  /** Auth headers (never logged). */
  readonly headers: Readonly<Record<string, string>>;
  /** Strong ETag or Last-Modified for `If-Range`, so a changed object restarts from zero. */
  readonly ifRange: string | null;
  /** Signs each request once its headers are final (e.g. Azure Shared Key, which covers Range). */
  readonly sign?: (url: URL, headers: Readonly<Record<string, string>>) => Record<string, string>;
}

export interface HttpFileOptions extends ResumableOptions {
  /** Destroy a connection silent for this long (default 60 s); the download then resumes. */
  readonly idleTimeoutMs?: number;
  /**
   * Source-specific status mapping; null falls back to the generic one. `errorCode` is the
   * service's own error code: `X-Error-Code` (Hugging Face Hub) or `x-ms-error-code` (Azure Blob
   * Storage), whichever the response carries.
   */
  readonly mapStatus?: (status: number, errorCode: string | null, label: string) => SourceError | null;
  /** Which addresses the download may connect to (default: global unicast only). */
  readonly policy?: OutboundPolicy;
}

/** Generic status → error mapping for file GETs. */
export function statusError(status: number, label: string): SourceError {
  if (status === 401 || status === 403)
    return new SourceError(
      'SOURCE_UNAUTHORIZED',
      `${label}: access denied (HTTP ${status}); check the credential secret`,
    );
  if (status === 404) return new SourceError('SOURCE_NOT_FOUND', `${label}: not found (HTTP 404)`);
  if (status === 412)
    return new SourceError('ETAG_CHANGED', `${label}: the object changed during the fetch (HTTP 412)`);
  if (status === 408 || status === 429 || status >= 500)
    return new SourceError('HTTP_SERVER_ERROR', `${label}: server error (HTTP ${status})`);
  return new SourceError('HTTP_ERROR', `${label}: unexpected HTTP ${status}`);
}

/** Parses `Content-Range: bytes a-b/total`. */
export function parseContentRange(v: string | null): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(v ?? '');
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

/** Downloads `req.url` to `finalPath` (verified, atomically renamed). Resumes from `<final>.partial`. */
export async function downloadHttpFile(
  req: HttpFileRequest,
  finalPath: string,
  opts: HttpFileOptions,
): Promise<DownloadedFile> {
  const what = `${req.label}: ${req.path}`;
  const openAt = async (offset: number): Promise<Opened> => {
    const headers: Record<string, string> = { ...req.headers, 'accept-encoding': 'identity' };
    if (offset > 0) {
      headers['range'] = `bytes=${offset}-`;
      if (req.ifRange !== null) headers['if-range'] = req.ifRange;
    }
    const res = await directGet(req.url, req.sign ? req.sign(new URL(req.url), headers) : headers, opts.signal, {
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
    });
    if (res.status === 206) {
      const cr = parseContentRange(res.header('content-range'));
      if (cr === null || cr.start !== offset) {
        res.body.destroy();
        return { kind: 'badRange' };
      }
      return { kind: 'body', fromStart: false, total: cr.total, etag: res.header('etag'), body: res.body };
    }
    if (res.status === 200) {
      const len = res.header('content-length');
      return {
        kind: 'body',
        fromStart: true,
        total: len !== null && /^\d+$/.test(len) ? Number(len) : null,
        etag: res.header('etag'),
        body: res.body,
      };
    }
    if ('direct' in res.body) res.body.destroy();
    else res.body.resume();
    if (res.status === 416 && offset > 0) {
      const total = Number(/\/(\d+)$/.exec(res.header('content-range') ?? '')?.[1] ?? NaN);
      if (Number.isSafeInteger(total)) return { kind: 'complete', total };
      return { kind: 'badRange' };
    }
    const errorCode = res.header('x-error-code') ?? res.header('x-ms-error-code');
    throw opts.mapStatus?.(res.status, errorCode, what) ?? statusError(res.status, what);
  };
  return downloadResumable(req, finalPath, openAt, opts);
}
