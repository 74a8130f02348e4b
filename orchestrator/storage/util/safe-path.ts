/**
 * Path safety for names that come from outside (repo listings, object keys, archive entries):
 * a relative POSIX path with no `..`, no empty or `.` segments, no NUL or backslash.
 */
import { join, sep } from 'node:path';
import { SourceError, type SourceErrorCode } from '../sources/errors.js';

/** Returns the normalized relative path, or null when it is unsafe. */
export function normalizeRelPath(p: string): string | null {
  if (p.length === 0 || p.length > 4096) return null;
  if (p.includes('\0') || p.includes('\\')) return null;
  if (p.startsWith('/')) return null;
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0) return null;
  if (parts.some((s) => s === '..')) return null;
  return parts.join('/');
}

/** Joins a source-provided relative path under `root`, throwing `code` when it would escape. */
export function safeJoin(root: string, rel: string, code: SourceErrorCode = 'UNSAFE_PATH'): string {
  const norm = normalizeRelPath(rel);
  if (norm === null) throw new SourceError(code, `refusing unsafe path ${JSON.stringify(rel.slice(0, 200))}`);
  return join(root, ...norm.split('/'));
}

/** True when `child` is `root` or inside it (both absolute, normalized). */
export function isInside(root: string, child: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}
