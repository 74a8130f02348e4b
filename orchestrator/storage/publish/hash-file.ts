/** Streaming sha256 of files and streams (node:crypto), never holding a whole file in memory. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface Digest {
  readonly sha256: string;
  readonly size: number;
}

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

/** sha256 and size of a file, read in 1 MiB chunks. */
export async function sha256File(path: string): Promise<Digest> {
  return sha256Stream(createReadStream(path, { highWaterMark: 1024 * 1024 }));
}

/** sha256 and size of in-memory bytes. */
export function sha256Bytes(bytes: Uint8Array | string): Digest {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.byteLength };
}
