/**
 * Typed, serializable fetch errors with stable codes. Each code says whether retrying the fetch can
 * help; messages never contain secret values (callers pass redacted names and URLs only).
 */

/** Every code a checkpoint source, the tar reader, the cache or the fetch step can fail with. */
export const SOURCE_ERROR_CODES = {
  SOURCE_UNSUPPORTED: { retryable: false },
  SOURCE_REPO_INVALID: { retryable: false },
  SOURCE_SECRET_MISSING: { retryable: false },
  SOURCE_SECRET_INVALID: { retryable: false },
  /** The item names a secret its source kind may not receive (REMOTE_URL: only REMOTE_URL_SECRET_NAMES). */
  SOURCE_SECRET_NOT_ALLOWED: { retryable: false },
  /** A connection or redirect hop resolved to an address the outbound policy refuses. */
  ADDRESS_REFUSED: { retryable: false },
  SOURCE_UNAUTHORIZED: { retryable: false },
  SOURCE_NOT_FOUND: { retryable: false },
  SOURCE_EMPTY: { retryable: false },
  HF_REPO_GATED: { retryable: false },
  HF_REPO_UNAUTHORIZED: { retryable: false },
  HF_REPO_NOT_FOUND: { retryable: false },
  HF_REVISION_NOT_FOUND: { retryable: false },
  HF_FILE_NOT_FOUND: { retryable: false },
  HTTP_ERROR: { retryable: false },
  HTTP_SERVER_ERROR: { retryable: true },
  NETWORK_ERROR: { retryable: true },
  INVALID_RESPONSE: { retryable: true },
  DOWNLOAD_INTERRUPTED: { retryable: true },
  SIZE_MISMATCH: { retryable: true },
  CHECKSUM_MISMATCH: { retryable: true },
  ETAG_CHANGED: { retryable: true },
  LFS_POINTER_INSTEAD_OF_WEIGHTS: { retryable: false },
  UNSAFE_PATH: { retryable: false },
  ARCHIVE_PATH_ESCAPE: { retryable: false },
  ARCHIVE_LINK_ESCAPE: { retryable: false },
  ARCHIVE_UNSUPPORTED_ENTRY: { retryable: false },
  ARCHIVE_TOO_LARGE: { retryable: false },
  ARCHIVE_CORRUPT: { retryable: false },
  DEST_OUTSIDE_WORKSPACE: { retryable: false },
  FETCH_ABORTED: { retryable: false },
  CACHE_LOCK_TIMEOUT: { retryable: true },
  DISK_FULL: { retryable: false },
  DEST_NOT_WRITABLE: { retryable: false },
  FETCH_INTERNAL_ERROR: { retryable: false },
  CACHE_TOO_SMALL: { retryable: false },
} as const satisfies Record<string, { readonly retryable: boolean }>;

export type SourceErrorCode = keyof typeof SOURCE_ERROR_CODES;

/** The plain-data form stored on jobs and returned by APIs. */
export interface SourceFailure {
  readonly code: SourceErrorCode;
  readonly message: string;
  readonly retryable: boolean;
}

/** A fetch failure with a stable code; `retryable` comes from the code unless overridden. */
export class SourceError extends Error {
  readonly code: SourceErrorCode;
  readonly retryable: boolean;

  constructor(code: SourceErrorCode, message: string, opts: { retryable?: boolean } = {}) {
    super(message);
    this.name = 'SourceError';
    this.code = code;
    this.retryable = opts.retryable ?? SOURCE_ERROR_CODES[code].retryable;
  }

  /** Plain data for job records and logs. */
  toFailure(): SourceFailure {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** True when `err` is a SourceError (optionally with the given code). */
export function isSourceError(err: unknown, code?: SourceErrorCode): err is SourceError {
  return err instanceof SourceError && (code === undefined || err.code === code);
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ECONNCLOSED',
]);

function codeOf(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * Turns anything thrown into a SourceError, classified so retries are decided right: network
 * failures (socket codes, undici's `fetch failed`, cut bodies) are NETWORK_ERROR (retryable);
 * ENOSPC is DISK_FULL and EACCES/EROFS/EPERM DEST_NOT_WRITABLE (not retryable); other
 * TypeError/RangeError/SyntaxError are FETCH_INTERNAL_ERROR (a bug or malformed input, not
 * retryable); anything else is treated as a network failure. FETCH_ABORTED when the signal
 * fired. Messages are scrubbed of the given secret values.
 */
export function toSourceError(
  err: unknown,
  ctx: { signal?: AbortSignal; secrets?: readonly string[]; what: string },
): SourceError {
  if (err instanceof SourceError) return err;
  if (ctx.signal?.aborted === true) return new SourceError('FETCH_ABORTED', `${ctx.what}: fetch aborted`);
  const raw = err instanceof Error ? err.message : String(err);
  const causeErr = err instanceof Error ? err.cause : undefined;
  const cause = causeErr instanceof Error ? `: ${causeErr.message}` : '';
  const message = `${ctx.what}: ${scrubSecrets(raw + cause, ctx.secrets ?? [])}`;
  const code = codeOf(err) ?? codeOf(causeErr);
  if (code === 'ADDRESS_REFUSED' || codeOf(causeErr) === 'ADDRESS_REFUSED')
    return new SourceError(
      'ADDRESS_REFUSED',
      `${ctx.what}: ${scrubSecrets(causeErr instanceof Error && codeOf(causeErr) === 'ADDRESS_REFUSED' ? causeErr.message : raw, ctx.secrets ?? [])}`,
    );
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR')))
    return new SourceError('NETWORK_ERROR', message);
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new SourceError('DISK_FULL', `${message}; free space on the builder host or lower the cache budget`);
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return new SourceError('DEST_NOT_WRITABLE', message);
  if (raw === 'fetch failed' || raw === 'terminated' || raw === 'aborted')
    return new SourceError('NETWORK_ERROR', message);
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError)
    return new SourceError('FETCH_INTERNAL_ERROR', message);
  return new SourceError('NETWORK_ERROR', message);
}

/** Replaces every occurrence of each secret value (length ≥ 4) with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}

/** A URL for messages: no user info, no query (presigned URLs carry credentials there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const q = u.search ? '?…' : '';
    return `${u.protocol}//${u.host}${u.pathname}${q}`;
  } catch {
    return '<invalid url>';
  }
}
