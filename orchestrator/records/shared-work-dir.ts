/**
 * A build's stages (fetch, GPU steps, publish) may run on different workers, so every worker must
 * see the same WORK_DIR (one host, or shared storage). Each WORK_DIR carries an id file; a worker
 * whose id differs from the live workers' refuses to start, instead of failing builds later with
 * an empty workspace.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerRecord } from './worker-registry.js';

const ID_FILE = '.trt-work-dir-id';

/** The id of `workDir` (created once, by whichever worker comes first). */
export async function workDirId(workDir: string): Promise<string> {
  await mkdir(workDir, { recursive: true });
  const file = join(workDir, ID_FILE);
  try {
    await writeFile(file, `${randomUUID()}\n`, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return (await readFile(file, 'utf8')).trim();
}

/** Why this worker must not start (its WORK_DIR is not the live workers'), or null. */
export function workDirConflict(live: readonly WorkerRecord[], mine: string, workDir: string): string | null {
  const others = live.filter((w) => w.workDirId !== undefined && w.workDirId !== mine);
  if (others.length === 0) return null;
  const names = others.map((w) => `${w.name} on ${w.host}`).join(', ');
  return (
    `WORK_DIR ${workDir} is not the directory the live workers use (${names}): a build's fetch, GPU ` +
    'and publish stages may run on different workers, so all of them need the same WORK_DIR ' +
    '(one host, or shared storage such as NFS)'
  );
}
