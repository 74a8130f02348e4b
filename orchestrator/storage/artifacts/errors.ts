/**
 * Errors of the artifact-store adapters: a stable `code` to branch on (never the message), whether
 * a retry can help, and the key involved. Messages never carry credentials (see `scrub-secrets.ts`)
 * and the raw SDK error is not kept as `cause`, because SDK errors can echo request details.
 */

export type ArtifactStoreErrorCode =
  /** The key (or list prefix) breaks the key rules in `object-key.ts`. */
  | 'INVALID_KEY'
  /** The store URL is not `s3://bucket[/prefix]` or `file:///absolute/path`. */
  | 'INVALID_STORE_URL'
  /** The local path for the key is taken by a directory, or a parent is a file. */
  | 'KEY_CONFLICT'
  /** The key's local path leads out of the store root through a symlink planted inside it. */
  | 'UNSAFE_PATH'
  /** The file given to `putFile` does not exist or is not a regular file. */
  | 'SOURCE_NOT_FOUND'
  /** The backend refused access (403, bad credentials). */
  | 'ACCESS_DENIED'
  /** The bucket does not exist. */
  | 'NO_SUCH_BUCKET'
  /** Any other backend or I/O failure. */
  | 'STORE_IO';

const RETRYABLE: Readonly<Record<ArtifactStoreErrorCode, boolean>> = {
  INVALID_KEY: false,
  INVALID_STORE_URL: false,
  KEY_CONFLICT: false,
  UNSAFE_PATH: false,
  SOURCE_NOT_FOUND: false,
  ACCESS_DENIED: false,
  NO_SUCH_BUCKET: false,
  STORE_IO: true,
};

export class ArtifactStoreError extends Error {
  override readonly name = 'ArtifactStoreError';
  readonly code: ArtifactStoreErrorCode;
  readonly retryable: boolean;
  readonly key: string | null;

  constructor(code: ArtifactStoreErrorCode, message: string, key: string | null = null) {
    super(message);
    this.code = code;
    this.retryable = RETRYABLE[code];
    this.key = key;
  }
}

/** Type guard for a store error, optionally of one code. */
export function isArtifactStoreError(err: unknown, code?: ArtifactStoreErrorCode): err is ArtifactStoreError {
  return err instanceof ArtifactStoreError && (code === undefined || err.code === code);
}
