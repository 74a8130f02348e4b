/**
 * Streaming sha256/md5 of downloaded bytes, either inline or in a worker thread. Hashing a large
 * checkpoint on the event-loop thread caps a fetch near one core's hash speed (~0.5–1.5 GB/s);
 * with one worker per large file, hashing runs in parallel with the network and disk I/O.
 * Buffers handed to `update` are transferred to the worker (copied first if they share memory).
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface Digests {
  readonly sha256: string | null;
  readonly md5: string | null;
  /** Git blob id: sha1 over `blob <size>\0` + the bytes. */
  readonly gitSha1: string | null;
}

export interface Digester {
  /** Feeds the next bytes; the caller must not modify `buf` afterwards. */
  update(buf: Buffer): void;
  /** Final digests (hex) of everything fed; the digester is closed afterwards. */
  digests(): Promise<Digests>;
  /** Releases the worker without a result (on failure paths). */
  close(): void;
  /** True when `update` keeps the buffer (a worker takes it over), so callers pass fresh ones. */
  readonly takesOwnership: boolean;
}

export interface DigestAlgorithms {
  readonly sha256: boolean;
  readonly md5: boolean;
  /** The file size when a git blob id is wanted, else null/undefined. */
  readonly gitBlobSize?: number | null;
}

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sha = workerData.sha256 ? createHash('sha256') : null;
const md5 = workerData.md5 ? createHash('md5') : null;
const git = workerData.gitBlobSize != null ? createHash('sha1').update('blob ' + workerData.gitBlobSize + '\\0') : null;
parentPort.on('message', (m) => {
  if (m.type === 'data') {
    const b = Buffer.from(m.buf);
    if (sha) sha.update(b);
    if (md5) md5.update(b);
    if (git) git.update(b);
  } else if (m.type === 'end') {
    parentPort.postMessage({ sha256: sha ? sha.digest('hex') : null, md5: md5 ? md5.digest('hex') : null, gitSha1: git ? git.digest('hex') : null });
  }
});
`;

function inline(algos: DigestAlgorithms): Digester {
  const sha: Hash | null = algos.sha256 ? createHash('sha256') : null;
  const md5: Hash | null = algos.md5 ? createHash('md5') : null;
  const git: Hash | null = algos.gitBlobSize != null ? createHash('sha1').update(`blob ${algos.gitBlobSize}\0`) : null;
  return {
    update(buf) {
      sha?.update(buf);
      md5?.update(buf);
      git?.update(buf);
    },
    digests: () => Promise.resolve({ sha256: sha?.digest('hex') ?? null, md5: md5?.digest('hex') ?? null, gitSha1: git?.digest('hex') ?? null }),
    close: () => undefined,
    takesOwnership: false,
  };
}

function threaded(algos: DigestAlgorithms): Digester {
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: algos });
  worker.unref();
  let failed: Error | null = null;
  worker.on('error', (e) => (failed = e));
  return {
    update(buf) {
      // Transfer only memory the buffer owns outright; anything else (pool slices, views of a
      // larger buffer) is copied into a fresh ArrayBuffer first. Node's `Buffer.from` would not do:
      // small copies land in the shared pool, and transferring that would detach it.
      let ab: ArrayBuffer;
      if (buf.byteOffset === 0 && buf.buffer.byteLength === buf.length && buf.buffer instanceof ArrayBuffer) {
        ab = buf.buffer;
      } else {
        ab = new ArrayBuffer(buf.length);
        new Uint8Array(ab).set(buf);
      }
      worker.postMessage({ type: 'data', buf: ab }, [ab]);
    },
    digests: () =>
      new Promise<Digests>((resolve, reject) => {
        if (failed !== null) {
          reject(failed);
          return;
        }
        worker.ref();
        worker.once('message', (m: Digests) => {
          void worker.terminate();
          resolve(m);
        });
        worker.once('error', reject);
        worker.postMessage({ type: 'end' });
      }),
    close: () => void worker.terminate(),
    takesOwnership: true,
  };
}

/** A digester for the requested algorithms; `offload` runs it in a worker thread. */
export function createDigester(algos: DigestAlgorithms, offload: boolean): Digester {
  return offload && (algos.sha256 || algos.md5 || algos.gitBlobSize != null) ? threaded(algos) : inline(algos);
}
