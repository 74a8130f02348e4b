/** Detects Git LFS pointer files saved where weights were expected (a classic broken-checkpoint cause). */
import { open } from 'node:fs/promises';
import { SourceError } from '../sources/errors.js';

const WEIGHT_FILE = /\.(safetensors|bin|pt|pth|gguf|ckpt|h5|msgpack|onnx)$/i;
const POINTER_PREFIX = 'version https://git-lfs.github.com/spec/v1';

/** True when `relPath` names a weights file (by extension). */
export function isWeightsPath(relPath: string): boolean {
  return WEIGHT_FILE.test(relPath);
}

/** True when `head` (the first bytes of a file) is a Git LFS pointer. */
export function looksLikeLfsPointer(head: Uint8Array): boolean {
  return Buffer.from(head).toString('latin1').startsWith(POINTER_PREFIX);
}

/** Throws LFS_POINTER_INSTEAD_OF_WEIGHTS when a small weights file is an LFS pointer. */
export async function assertNotLfsPointer(relPath: string, file: string, size: number, what: string): Promise<void> {
  if (!isWeightsPath(relPath) || size > 1024) return;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, 1024));
    await fh.read(buf, 0, buf.length, 0);
    if (looksLikeLfsPointer(buf)) {
      throw new SourceError(
        'LFS_POINTER_INSTEAD_OF_WEIGHTS',
        `${what}: is a Git LFS pointer file (${size} bytes), not weights; the repository was pushed without LFS content`,
      );
    }
  } finally {
    await fh.close();
  }
}
