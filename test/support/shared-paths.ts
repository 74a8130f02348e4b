/**
 * Where the shared reference material lives: `$SHARED_DIR`, else `../shared` next to the checkout,
 * else `/work/shared` (CI may clone the repository anywhere on this machine).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

function findSharedDir(): string {
  const candidates = [process.env['SHARED_DIR'], join(REPO_ROOT, '..', 'shared'), '/work/shared'];
  for (const dir of candidates) {
    if (dir !== undefined && dir !== '' && existsSync(join(dir, 'corpus', 'trt_llm'))) return resolve(dir);
  }
  throw new Error(`shared reference folder not found (tried ${candidates.filter(Boolean).join(', ')}); set SHARED_DIR`);
}

/** The shared folder (corpus and reference). Throws with a clear message when it cannot be found. */
export const SHARED_DIR = findSharedDir();
/** The 443 real Truss configs used as test input. */
export const CORPUS_DIR = join(SHARED_DIR, 'corpus', 'trt_llm');
/** The reference documents and the TensorRT-LLM CLI fixture. */
export const REFERENCE_DIR = join(SHARED_DIR, 'reference');
