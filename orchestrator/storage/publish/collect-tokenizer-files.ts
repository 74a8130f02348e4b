/**
 * The tokenizer and HF config files of a checkpoint directory that a bundle publishes under
 * `tokenizer/` (the names in `TOKENIZER_FILES`; absent ones are skipped). Only regular files at the
 * top level are taken; a symlink or special file under one of those names is refused, like in the
 * artifact directory.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKENIZER_FILES } from '../../bundle/layout.js';
import type { SourceFile } from './collect-source-files.js';
import { PublishError } from './errors.js';

/** The tokenizer files `dir` has, sorted by name; [] when `dir` does not exist. */
export async function collectTokenizerFiles(dir: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const name of [...TOKENIZER_FILES].sort()) {
    const absPath = join(dir, name);
    const st = await lstat(absPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw err;
    });
    if (st === null) continue;
    if (st.isSymbolicLink() || !st.isFile()) {
      throw new PublishError(
        'UNSAFE_SOURCE_ENTRY',
        `refusing to publish tokenizer file ${JSON.stringify(name)}: it is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`,
        name,
      );
    }
    out.push({ relPath: name, absPath, size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}
