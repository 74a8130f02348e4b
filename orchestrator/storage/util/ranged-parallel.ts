/**
 * Parallel ranged download of one large object into `<final>.partial` (preallocated, positional
 * writes). Finished parts are recorded in `<final>.partial.parts`, so an interrupted download
 * refetches only the missing parts. A part cut mid-way is refetched (at most `partAttempts` times
 * in this call). When the source gives a plain MD5 ETag, the assembled file is checked against it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { SourceError } from '../sources/errors.js';
import { mapLimit } from './map-limit.js';

export interface RangedSpec {
  readonly path: string;
  readonly label: string;
  readonly size: number;
  /** Lower-case hex MD5 of the whole object, when known. */
  readonly md5: string | null;
  readonly partSize: number;
  readonly concurrency: number;
  readonly partAttempts?: number;
}

/** Opens bytes [start, end] (inclusive) of the object. */
export type RangeGetter = (start: number, end: number) => Promise<Readable>;

async function readParts(path: string): Promise<Set<number>> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return new Set(Array.isArray(v) ? v.filter((n): n is number => Number.isSafeInteger(n)) : []);
  } catch {
    return new Set();
  }
}

/** Downloads `spec.size` bytes through `getRange` in parallel parts to `finalPath`, verified. */
export async function downloadRangedParallel(
  spec: RangedSpec,
  finalPath: string,
  getRange: RangeGetter,
  opts: { signal: AbortSignal; onBytes?: (delta: number) => void },
): Promise<void> {
  const what = `${spec.label}: ${spec.path}`;
  const partial = `${finalPath}.partial`;
  const partsPath = `${partial}.parts`;
  await mkdir(dirname(finalPath), { recursive: true });
  const nParts = Math.ceil(spec.size / spec.partSize);
  const existing = await stat(partial).catch(() => null);
  let done = existing?.size === spec.size ? await readParts(partsPath) : new Set<number>();
  if (existing?.size !== spec.size) done = new Set();
  const fh = await open(partial, existing?.size === spec.size ? 'r+' : 'w+');
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const snapshot = JSON.stringify([...done].sort((a, b) => a - b));
    saving = saving.then(async () => {
      await writeFile(`${partsPath}.tmp`, snapshot);
      await rename(`${partsPath}.tmp`, partsPath);
    });
    return saving;
  };
  try {
    await fh.truncate(spec.size);
    for (const i of done) opts.onBytes?.(Math.min(spec.partSize, spec.size - i * spec.partSize));
    const todo = Array.from({ length: nParts }, (_, i) => i).filter((i) => !done.has(i));
    await mapLimit(todo, spec.concurrency, async (i) => {
      const start = i * spec.partSize;
      const end = Math.min(spec.size, start + spec.partSize) - 1;
      const want = end - start + 1;
      for (let attempt = 1; ; attempt++) {
        if (opts.signal.aborted) throw new SourceError('FETCH_ABORTED', `${what}: fetch aborted (finished parts kept)`);
        let got = 0;
        try {
          const body = await getRange(start, end);
          let batch: Buffer[] = [];
          let batchBytes = 0;
          const flush = async (): Promise<void> => {
            if (batchBytes === 0) return;
            const buf = Buffer.concat(batch, batchBytes);
            const at = start + got - batchBytes;
            batch = [];
            batchBytes = 0;
            await fh.write(buf, 0, buf.length, at);
          };
          for await (const c of body) {
            const chunk = c as Buffer;
            if (got + chunk.length > want)
              throw new SourceError('SIZE_MISMATCH', `${what}: part ${i} is longer than requested`);
            got += chunk.length;
            batch.push(chunk);
            batchBytes += chunk.length;
            opts.onBytes?.(chunk.length);
            if (batchBytes >= 1 << 20) await flush();
          }
          await flush();
          if (got !== want)
            throw new SourceError('DOWNLOAD_INTERRUPTED', `${what}: part ${i} ended after ${got} of ${want} bytes`);
          done.add(i);
          await save();
          return;
        } catch (err) {
          opts.onBytes?.(-got);
          const retryable =
            err instanceof SourceError ? err.retryable && err.code !== 'ETAG_CHANGED' : !opts.signal.aborted;
          if (!retryable || attempt >= (spec.partAttempts ?? 3)) throw err;
        }
      }
    });
  } finally {
    await fh.close();
    await saving.catch(() => undefined);
  }
  if (spec.md5 !== null) {
    const h = createHash('md5');
    for await (const c of createReadStream(partial, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
    const got = h.digest('hex');
    if (got !== spec.md5) {
      await rm(partial, { force: true });
      await rm(partsPath, { force: true });
      throw new SourceError('CHECKSUM_MISMATCH', `${what}: md5 ${got} does not match the ETag ${spec.md5}`);
    }
  }
  await rename(partial, finalPath);
  await rm(partsPath, { force: true });
}
