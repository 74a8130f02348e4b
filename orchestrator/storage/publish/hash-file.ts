/**
 * Streaming sha256 of files and streams (node:crypto), never holding a whole file in memory.
 * Large files are hashed in a worker thread that reads the file itself, so hashing runs on another
 * core while the event loop keeps uploads moving.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

export interface Digest {
  readonly sha256: string;
  readonly size: number;
}

/** Files at least this large are hashed off the event-loop thread. */
export const OFF_THREAD_MIN_BYTES = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const hash = createHash('sha256');
let size = 0;
createReadStream(workerData.path, { highWaterMark: ${CHUNK} })
  .on('data', (b) => { hash.update(b); size += b.length; })
  .on('error', (e) => parentPort.postMessage({ error: e.message, code: e.code }))
  .on('end', () => parentPort.postMessage({ sha256: hash.digest('hex'), size }));
`;

/** sha256 (lower-case hex) and byte count of a stream, consuming it. */
export async function sha256Stream(stream: Readable | NodeJS.ReadableStream): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(buf);
    size += buf.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** sha256 and size of a file; `sizeHint` ≥ 16 MiB hashes in a worker thread. */
export async function sha256File(path: string, sizeHint = 0): Promise<Digest> {
  if (sizeHint >= OFF_THREAD_MIN_BYTES) return sha256FileOffThread(path);
  return sha256Stream(createReadStream(path, { highWaterMark: CHUNK }));
}

/** sha256 and size of in-memory bytes. */
export function sha256Bytes(bytes: Uint8Array | string): Digest {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.byteLength };
}

function sha256FileOffThread(path: string): Promise<Digest> {
  return new Promise<Digest>((resolve, reject) => {
    const worker = new Worker(WORKER_CODE, { eval: true, workerData: { path } });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (m: { sha256?: string; size?: number; error?: string; code?: string }) => {
      finish(() => {
        if (typeof m.sha256 === 'string' && typeof m.size === 'number') resolve({ sha256: m.sha256, size: m.size });
        else
          reject(Object.assign(new Error(`hashing ${path} failed: ${m.error ?? 'unknown error'}`), { code: m.code }));
      });
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`hash worker for ${path} exited with code ${code}`))));
  });
}
