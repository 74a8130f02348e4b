/**
 * Parses an artifact-store URL (pure): `s3://bucket[/prefix]` or `file:///absolute/path`.
 * Precise errors for everything else (other schemes, hosts in file URLs, `..`, bad bucket names).
 */
import { fileURLToPath } from 'node:url';
import { ArtifactStoreError } from './errors.js';
import { listPrefixProblem } from './object-key.js';

export type StoreLocation =
  | { readonly kind: 's3'; readonly bucket: string; /** '' or ends with '/'. */ readonly prefix: string }
  | { readonly kind: 'file'; /** Absolute directory path. */ readonly root: string };

// S3 bucket naming rules (general purpose buckets): 3–63 chars, lower-case letters, digits, '.', '-'.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `url` into a store location or throws `INVALID_STORE_URL`. */
export function parseStoreUrl(url: unknown): StoreLocation {
  if (typeof url !== 'string' || url.length === 0) throw bad(url, 'expected a non-empty string');
  if (url.startsWith('s3://')) return parseS3(url);
  if (url.startsWith('file:')) return parseFile(url);
  throw bad(url, 'expected s3://bucket[/prefix] or file:///absolute/path');
}

/** The canonical URL string of a location (what `ArtifactStore.url` reports). */
export function formatStoreUrl(loc: StoreLocation): string {
  if (loc.kind === 's3') return `s3://${loc.bucket}/${loc.prefix}`;
  return `file://${loc.root.split('/').map(encodeURIComponent).join('/')}`;
}

function parseS3(url: string): StoreLocation {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  let prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw bad(url, `bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name (3-63 chars: a-z 0-9 . -)`);
  }
  if (/[?#]/.test(prefix)) throw bad(url, 'query strings and fragments are not allowed');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  const problem = listPrefixProblem(prefix);
  if (problem !== null) throw bad(url, `prefix ${problem}`);
  return { kind: 's3', bucket, prefix };
}

function parseFile(url: string): StoreLocation {
  if (!url.startsWith('file:///')) throw bad(url, 'file URLs must have an empty host: file:///absolute/path');
  if (/[?#]/.test(url)) throw bad(url, 'query strings and fragments are not allowed');
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.slice('file://'.length));
  } catch {
    throw bad(url, 'malformed percent-encoding');
  }
  if (decoded.split('/').some((seg) => seg === '.' || seg === '..'))
    throw bad(url, 'must not contain "." or ".." segments');
  let root: string;
  try {
    root = fileURLToPath(url);
  } catch (err) {
    throw bad(url, (err as Error).message);
  }
  if (root.includes('\0')) throw bad(url, 'must not contain NUL');
  if (root.length > 1 && root.endsWith('/')) root = root.slice(0, -1);
  if (root === '/') throw bad(url, 'the filesystem root cannot be an artifact store');
  return { kind: 'file', root };
}

function bad(url: unknown, why: string): ArtifactStoreError {
  const shown =
    typeof url === 'string' ? JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}…` : url) : `(${typeof url})`;
  return new ArtifactStoreError('INVALID_STORE_URL', `invalid artifact store URL ${shown}: ${why}`);
}
