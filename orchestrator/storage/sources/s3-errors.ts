/** Maps AWS SDK (S3 / GCS XML API) errors to typed source errors without echoing their messages. */
import { SourceError, toSourceError } from './errors.js';

interface SdkErrorShape {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The typed error for an SDK failure (`what` names the bucket/key; secrets are never included). */
export function s3Error(err: unknown, what: string, signal: AbortSignal, secrets: readonly string[]): SourceError {
  if (err instanceof SourceError) return err;
  if (signal.aborted) return new SourceError('FETCH_ABORTED', `${what}: fetch aborted`);
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  if (name === 'NoSuchBucket' || name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new SourceError('SOURCE_NOT_FOUND', `${what}: not found (${name}, HTTP ${status ?? 404})`);
  }
  if (
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken'].includes(name) ||
    status === 401 ||
    status === 403
  ) {
    return new SourceError(
      'SOURCE_UNAUTHORIZED',
      `${what}: access denied (${name}, HTTP ${status ?? 403}); check the credential secret`,
    );
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new SourceError('ETAG_CHANGED', `${what}: the object changed during the fetch (HTTP 412)`);
  }
  if (status !== undefined && (status >= 500 || status === 429 || status === 408 || name === 'SlowDown')) {
    return new SourceError('HTTP_SERVER_ERROR', `${what}: server error (${name}, HTTP ${status})`);
  }
  if (status !== undefined) return new SourceError('HTTP_ERROR', `${what}: ${name} (HTTP ${status})`);
  return toSourceError(err, { signal, secrets, what });
}
