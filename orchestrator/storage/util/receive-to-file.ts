/** Writes a response body to a file handle without losing received bytes when the body is cut. */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SourceError } from '../sources/errors.js';
import { isDirectBody, type DirectBody } from './direct-get.js';

/**
 * Received bytes are copied into a few reused slabs of this size and each full slab is written
 * with one positional write. Reusing the same memory keeps the socket's short-lived read buffers
 * out of the old generation (far fewer major GCs than holding megabytes of them until their write)
 * and keeps the kernel copying from warm, already-mapped pages; the extra user-space copy of each
 * hot 64 KiB chunk is cheap next to both.
 */
const SLAB_BYTES = 4 << 20;
/** Slabs per body: one filling, one being written, one queued; more received bytes pause the socket. */
const MAX_SLABS = 3;

/**
 * Streams `body` into `fh` (a Readable in flowing mode; a `DirectBody` reads straight into the slabs) (so every received byte reaches the file before a cut
 * connection is reported), batching writes and pausing the socket only when the disk falls behind.
 * `onChunk` sees every received chunk after it has been copied (so it may keep the buffer).
 * Resolves with the failure (null when the body ended normally); the file handle is closed.
 */
export function receiveToFile(
  body: Readable | DirectBody,
  fh: FileHandle,
  startAt: number,
  limit: number,
  what: string,
  onChunk: (chunk: Buffer) => void,
): Promise<unknown> {
  return new Promise<unknown>((resolve) => {
    const free: Buffer[] = [];
    let slabs = 0;
    let cur: Buffer | null = null;
    let fill = 0;
    /** Full slabs waiting for their write, in file order. */
    const queued: Buffer[] = [];
    /** Received bytes with no slab to go to yet (the socket is paused meanwhile). */
    let overflow: Buffer[] = [];
    let position = startAt;
    let received = startAt;
    let settled = false;
    // The truncate below counts as the first write; chunks arriving meanwhile fill slabs.
    let writing = true;
    let direct = false;
    let directPaused = false;
    const paused = (): boolean => (direct ? directPaused : (body as Readable).isPaused());
    const resume = (): void => {
      if (direct) {
        directPaused = false;
        (body as DirectBody).resume();
      } else (body as Readable).resume();
    };

    const takeSlab = (): Buffer | null => {
      const s = free.pop();
      if (s !== undefined) return s;
      if (slabs >= MAX_SLABS) return null;
      slabs++;
      return Buffer.allocUnsafeSlow(SLAB_BYTES);
    };
    /** Copies `chunk` into slabs; what does not fit goes to `overflow`. */
    const absorb = (chunk: Buffer): void => {
      let off = 0;
      while (off < chunk.length) {
        if (cur === null) {
          cur = takeSlab();
          fill = 0;
          if (cur === null) {
            overflow.push(off === 0 ? chunk : chunk.subarray(off));
            return;
          }
        }
        const n = chunk.copy(cur, fill, off);
        fill += n;
        off += n;
        if (fill === cur.length) {
          queued.push(cur);
          cur = null;
        }
      }
    };
    const writeAll = async (buf: Buffer, len: number): Promise<void> => {
      let done = 0;
      while (done < len) {
        const { bytesWritten } = await fh.write(buf, done, len - done, position + done);
        if (bytesWritten <= 0) throw new Error('short write');
        done += bytesWritten;
      }
      position += len;
    };
    const pump = (): void => {
      if (writing || settled) return;
      const slab = queued.shift();
      if (slab === undefined) return;
      writing = true;
      inflight = writeAll(slab, slab.length).then(
        () => {
          free.push(slab);
          writing = false;
          if (settled) return;
          if (overflow.length > 0) {
            const rest = overflow;
            overflow = [];
            // In order: once one chunk overflows again, the ones after it wait too.
            for (const c of rest)
              if (overflow.length > 0) overflow.push(c);
              else absorb(c);
          }
          if (overflow.length === 0 && paused()) resume();
          pump();
        },
        (e: unknown) => settle(e),
      );
    };
    let inflight: Promise<void> = fh.truncate(startAt).then(
      () => {
        writing = false;
        pump();
      },
      (e: unknown) => settle(e),
    );
    /** Writes everything received and not yet written (after the last in-flight write). */
    const drain = async (): Promise<void> => {
      for (let s = queued.shift(); s !== undefined; s = queued.shift()) await writeAll(s, s.length);
      if (cur !== null && fill > 0) {
        await writeAll(cur, fill);
        fill = 0;
      }
      for (const c of overflow) await writeAll(c, c.length);
      overflow = [];
    };
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      if (!direct) (body as Readable).removeAllListeners('data');
      if (err !== null) body.destroy();
      inflight
        .then(drain)
        .then(
          () => err,
          (e: unknown) => err ?? e,
        )
        .then(async (result) => {
          await fh.close().catch(() => undefined);
          resolve(result);
        }, resolve);
    };
    if (isDirectBody(body)) {
      direct = true;
      let spare: Buffer | null = null;
      body.attach({
        buffer: () => {
          if (settled) return (spare ??= Buffer.allocUnsafeSlow(64 << 10));
          if (cur === null && overflow.length === 0) {
            cur = takeSlab();
            fill = 0;
          }
          // No slab free: the socket is paused; a read already under way lands in `spare`.
          return cur !== null ? cur.subarray(fill) : (spare ??= Buffer.allocUnsafeSlow(64 << 10));
        },
        data: (buf, n) => {
          if (settled) return false;
          if (received + n > limit) {
            settle(new SourceError('SIZE_MISMATCH', `${what}: body exceeds the expected ${limit} bytes`));
            return false;
          }
          received += n;
          const chunk = buf.subarray(0, n);
          if (
            cur !== null &&
            overflow.length === 0 &&
            buf.buffer === cur.buffer &&
            buf.byteOffset === cur.byteOffset + fill
          ) {
            // Landed in place.
            fill += n;
            if (fill === cur.length) {
              queued.push(cur);
              cur = null;
            }
            onChunk(chunk);
          } else {
            // Landed elsewhere (a parking buffer): copy; overflow keeps its own copy.
            if (overflow.length > 0) overflow.push(Buffer.from(chunk));
            else {
              const before = overflow.length;
              absorb(chunk);
              if (overflow.length > before)
                overflow[overflow.length - 1] = Buffer.from(overflow[overflow.length - 1] as Buffer);
            }
            onChunk(chunk);
          }
          if (!writing) pump();
          const more = overflow.length === 0 && (cur !== null || free.length > 0 || slabs < MAX_SLABS);
          if (!more) directPaused = true;
          return more;
        },
        end: (err) => settle(err),
      });
      return;
    }
    const readable = body;
    readable.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (received + chunk.length > limit) {
        settle(new SourceError('SIZE_MISMATCH', `${what}: body exceeds the expected ${limit} bytes`));
        return;
      }
      received += chunk.length;
      if (overflow.length > 0) overflow.push(chunk);
      else absorb(chunk);
      if (overflow.length > 0) readable.pause();
      onChunk(chunk);
      if (!writing) pump();
    });
    readable.on('end', () => settle(null));
    readable.on('error', (e) => settle(e));
    readable.on('close', () => {
      if (!readable.readableEnded) settle(new Error('connection closed before the body ended'));
    });
    if (readable.destroyed && !readable.readableEnded) settle(new Error('connection closed before the body ended'));
  });
}
