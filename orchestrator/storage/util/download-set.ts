/**
 * Downloads a set of files under one directory with bounded parallelism and aggregated progress.
 * Files already at their final path with the expected size are skipped: a final path is only ever
 * written by an atomic rename after verification, so its presence means the file was verified.
 */
import { stat } from 'node:fs/promises';
import type { ResolvedFile } from '../ports.js';
import type { DownloadOptions, DownloadResult } from '../sources/port.js';
import { SourceError } from '../sources/errors.js';
import { filterPaths } from './glob.js';
import { mapLimit } from './map-limit.js';
import { safeJoin } from './safe-path.js';

/**
 * Fetches one file to `finalPath`, reporting byte deltas through `onBytes`. `signal` fires when the
 * caller cancels or another file of the set has failed (so a 100 GB set does not keep going).
 */
export type FetchOne<F extends ResolvedFile> = (
  file: F,
  finalPath: string,
  onBytes: (delta: number) => void,
  signal: AbortSignal,
) => Promise<void>;

/** Filters `files` by the options' patterns and fetches each missing one with `fetchOne`. */
export async function downloadFileSet<F extends ResolvedFile>(
  files: readonly F[],
  destDir: string,
  opts: DownloadOptions,
  label: string,
  fetchOne: FetchOne<F>,
): Promise<DownloadResult> {
  const selected = filterPaths(files, opts);
  if (selected.length === 0)
    throw new SourceError('SOURCE_EMPTY', `${label}: no files match the allow/ignore patterns`);
  const bytesTotal = selected.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const report = (): void => opts.onProgress?.({ bytesDone, bytesTotal, filesDone, filesTotal: selected.length });
  report();
  const failed = new AbortController();
  const signal = AbortSignal.any([opts.signal, failed.signal]);
  await mapLimit(selected, opts.concurrency ?? 8, async (file) => {
    if (signal.aborted) throw new SourceError('FETCH_ABORTED', `${label}: fetch aborted`);
    const finalPath = safeJoin(destDir, file.path);
    const existing = await stat(finalPath).catch(() => null);
    if (existing?.isFile() === true && existing.size === file.size) {
      bytesDone += file.size;
    } else {
      let mine = 0;
      try {
        await fetchOne(
          file,
          finalPath,
          (d) => {
            mine += d;
            bytesDone += d;
            report();
          },
          signal,
        );
      } catch (err) {
        failed.abort();
        throw err;
      } finally {
        // Normalize this file's share to its listed size on success; undo it on failure.
        bytesDone -= mine;
      }
      bytesDone += file.size;
    }
    filesDone++;
    report();
  });
  return { files: selected, bytes: bytesTotal };
}
