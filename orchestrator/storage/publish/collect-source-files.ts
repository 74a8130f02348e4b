/**
 * Lists the files of a build's artifact directory for publishing: regular files only, recursively,
 * sorted by path. Symlinks, FIFOs, sockets and devices are refused (a symlink could publish a file
 * from outside the build); names that cannot be object keys are refused with the offending path.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { objectKeyProblem } from '../artifacts/object-key.js';
import { PublishError } from './errors.js';

export interface SourceFile {
  /** Path relative to the source directory, `/`-separated. */
  readonly relPath: string;
  readonly absPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Walks `dir` and returns its regular files (see the module comment for what is refused). */
export async function collectSourceFiles(dir: string): Promise<SourceFile[]> {
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new PublishError(
      'SOURCE_DIR_INVALID',
      `source directory ${JSON.stringify(dir)} does not exist or is not a directory`,
    );
  }
  const out: SourceFile[] = [];
  await walk(dir, '', out);
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.relPath), Buffer.from(b.relPath)));
}

async function walk(root: string, rel: string, out: SourceFile[]): Promise<void> {
  const entries = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const problem = objectKeyProblem(relPath);
    if (problem !== null) {
      throw new PublishError(
        'INVALID_SOURCE_NAME',
        `cannot publish ${JSON.stringify(relPath)}: the name ${problem}`,
        relPath,
      );
    }
    if (entry.isDirectory()) {
      await walk(root, relPath, out);
    } else if (entry.isFile()) {
      const st = await lstat(join(root, relPath));
      out.push({ relPath, absPath: join(root, relPath), size: st.size, mtimeMs: st.mtimeMs });
    } else {
      const kind = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file (FIFO, socket or device)';
      throw new PublishError(
        'UNSAFE_SOURCE_ENTRY',
        `refusing to publish ${JSON.stringify(relPath)}: it is ${kind}`,
        relPath,
      );
    }
  }
}
