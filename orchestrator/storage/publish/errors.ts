/**
 * Errors of publishing and verification, with stable codes. Store failures are not wrapped: they
 * surface as `ArtifactStoreError` (its own codes, already scrubbed of credentials).
 */

export type PublishErrorCode =
  /** The plan hash is not `sha256:<64 lower-case hex>`. */
  | 'INVALID_PLAN_HASH'
  /** `meta` or `launchFiles` break the manifest schema (bad path, duplicate, missing field). */
  | 'INVALID_INPUT'
  /** A launch file contains a known secret value or a credential-looking string (never published). */
  | 'SECRET_IN_LAUNCH_FILE'
  /** The source directory does not exist or is not a directory. */
  | 'SOURCE_DIR_INVALID'
  /** The source directory holds a symlink, FIFO, socket or device. */
  | 'UNSAFE_SOURCE_ENTRY'
  /** A file name cannot be an object key (control characters, backslash, …). */
  | 'INVALID_SOURCE_NAME'
  /** The source directory holds no files. */
  | 'EMPTY_ARTIFACT'
  /** A source file changed between hashing and upload; nothing was published. */
  | 'SOURCE_CHANGED'
  /** The stored manifest is not valid JSON or does not match the schema. */
  | 'MANIFEST_INVALID'
  /** The files to publish break the bundle contract (a launch config would not serve); nothing was published. */
  | 'BUNDLE_INCOMPLETE';

export class PublishError extends Error {
  override readonly name = 'PublishError';
  readonly code: PublishErrorCode;
  /** Path (relative to the source dir or build prefix) the error is about, if any. */
  readonly path: string | null;

  constructor(code: PublishErrorCode, message: string, path: string | null = null) {
    super(message);
    this.code = code;
    this.path = path;
  }
}

/** Type guard for a publish error, optionally of one code. */
export function isPublishError(err: unknown, code?: PublishErrorCode): err is PublishError {
  return err instanceof PublishError && (code === undefined || err.code === code);
}
