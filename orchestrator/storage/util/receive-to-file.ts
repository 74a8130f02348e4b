/** Writes a response body to a file handle without losing received bytes when the body is cut. */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SourceError } from '../sources/errors.js';

const FLUSH_BYTES = 4 << 20;

/**
 * Streams `body` into `fh` in flowing mode (so every received byte reaches the file before a cut
 * connection is reported), batching writes and pausing the socket while a write is in flight.
 * Resolves with the failure (null when the body ended normally); the file handle is closed.
 */
export function receiveToFile(
  body: Readable,
  fh: FileHandle,
  startAt: number,
  limit: number,
  what: string,
  onChunk: (chunk: Buffer) => void,
  onWritten: (buf: Buffer) => void,
  /** Hand `onWritten` one freshly allocated buffer per batch (for digesters that take ownership). */
  ownBuffers = false,
): Promise<unknown> {
  return new Promise<unknown>((resolve) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let position = startAt;
    let received = startAt;
    let settled = false;
    // One write in flight at a time while the socket keeps flowing; the socket pauses only when
    // the disk falls behind by several batches.
    let writing = true;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const at = position;
      position += pendingBytes;
      if (ownBuffers) {
        // A fresh buffer the digester may take over once it is written.
        const buf = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        await fh.write(buf, 0, buf.length, at);
        onWritten(buf);
        return;
      }
      const bufs = pending;
      pending = [];
      pendingBytes = 0;
      await fh.writev(bufs, at);
      for (const b of bufs) onWritten(b);
    };
    const pump = (): void => {
      if (writing || settled || pendingBytes < FLUSH_BYTES) return;
      writing = true;
      inflight = flush().then(
        () => {
          writing = false;
          if (settled) return;
          if (body.isPaused()) body.resume();
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
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      body.removeAllListeners('data');
      if (err !== null) body.destroy();
      inflight
        .then(flush)
        .then(
          () => err,
          (e: unknown) => err ?? e,
        )
        .then(async (result) => {
          await fh.close().catch(() => undefined);
          resolve(result);
        }, resolve);
    };
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (received + chunk.length > limit) {
        settle(new SourceError('SIZE_MISMATCH', `${what}: body exceeds the expected ${limit} bytes`));
        return;
      }
      received += chunk.length;
      onChunk(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (!writing) pump();
      else if (pendingBytes >= 4 * FLUSH_BYTES) body.pause();
    });
    body.on('end', () => settle(null));
    body.on('error', (e) => settle(e));
    body.on('close', () => {
      if (!body.readableEnded) settle(new Error('connection closed before the body ended'));
    });
    if (body.destroyed && !body.readableEnded) settle(new Error('connection closed before the body ended'));
  });
}
