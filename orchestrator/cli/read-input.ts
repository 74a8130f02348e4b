/** Reads a config from a file or stdin with a byte cap, so a huge input is never buffered whole. */
import { createReadStream } from 'node:fs';
import { MAX_CONFIG_BYTES } from '../config/yaml-source.js';

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly kind: 'too-large' | 'not-utf8'; readonly message: string }
  | { readonly ok: false; readonly kind: 'io'; readonly message: string };

const IO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Reads `source` (a stream) up to MAX_CONFIG_BYTES + 1 bytes and decodes it as UTF-8. */
export async function readLimited(source: NodeJS.ReadableStream): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
      chunks.push(buf);
      size += buf.length;
      if (size > MAX_CONFIG_BYTES) {
        (source as { destroy?: () => void }).destroy?.();
        return { ok: false, kind: 'too-large', message: `config is larger than ${MAX_CONFIG_BYTES} bytes (1 MiB)` };
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return { ok: false, kind: 'io', message: IO_REASONS[code] ?? (code || 'read failed') };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    return { ok: true, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
  } catch {
    return { ok: false, kind: 'not-utf8', message: 'config is not valid UTF-8 text' };
  }
}

/** Reads a config file by path. */
export async function readConfigFile(path: string): Promise<ReadResult> {
  return readLimited(createReadStream(path));
}
