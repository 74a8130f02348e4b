/** Free bytes on the file system holding `dir` (for the worker's disk check before a fetch). */
import { statfs } from 'node:fs/promises';

/** Bytes available to this (unprivileged) process under `dir`. */
export async function freeDiskBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}
