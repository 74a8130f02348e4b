/**
 * Object-key rules shared by every artifact store (pure). A key is a relative, `/`-separated path:
 * 1–1024 UTF-8 bytes, no leading or trailing `/`, no empty, `.` or `..` segments, no backslash,
 * no NUL or other control characters. The same key therefore means the same thing on S3 and on a
 * local disk, and no key can escape the store's root.
 */
import { ArtifactStoreError } from './errors.js';

export const MAX_KEY_BYTES = 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `key` is not a valid object key, or null when it is. */
export function objectKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string') return `must be a string (got ${key === null ? 'null' : typeof key})`;
  if (key.length === 0) return 'must not be empty';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} UTF-8 bytes (got ${bytes})`;
  return pathCharsProblem(key) ?? segmentsProblem(key.split('/'), false);
}

/** Why `prefix` is not a valid list prefix (empty, a key, or a key followed by `/`), or null. */
export function listPrefixProblem(prefix: unknown): string | null {
  if (typeof prefix !== 'string') return `must be a string (got ${prefix === null ? 'null' : typeof prefix})`;
  if (prefix === '') return null;
  const bytes = Buffer.byteLength(prefix, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} UTF-8 bytes (got ${bytes})`;
  return pathCharsProblem(prefix) ?? segmentsProblem(prefix.split('/'), true);
}

/** Throws `INVALID_KEY` unless `key` is a valid object key; returns it typed as string. */
export function assertObjectKey(key: unknown): string {
  const problem = objectKeyProblem(key);
  if (problem !== null) throw new ArtifactStoreError('INVALID_KEY', `invalid object key ${describe(key)}: ${problem}`);
  return key as string;
}

/** Throws `INVALID_KEY` unless `prefix` is a valid list prefix. */
export function assertListPrefix(prefix: unknown): string {
  const problem = listPrefixProblem(prefix);
  if (problem !== null)
    throw new ArtifactStoreError('INVALID_KEY', `invalid list prefix ${describe(prefix)}: ${problem}`);
  return prefix as string;
}

function pathCharsProblem(path: string): string | null {
  if (path.startsWith('/')) return 'must be relative (no leading "/")';
  if (CONTROL_CHARS.test(path)) return 'must not contain NUL or control characters';
  if (path.includes('\\')) return 'must not contain "\\"';
  if (LONE_SURROGATE.test(path)) return 'must be well-formed Unicode (lone surrogate)';
  return null;
}

function segmentsProblem(segments: readonly string[], trailingSlashAllowed: boolean): string | null {
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = segments[i];
    if (seg === '' && !(trailingSlashAllowed && i === last && i > 0)) {
      return i === last ? 'must not end with "/"' : 'must not contain empty segments ("//")';
    }
    if (seg === '.' || seg === '..') return `must not contain "${seg}" segments`;
  }
  return null;
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}
