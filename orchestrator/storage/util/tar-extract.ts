/**
 * A small, strict tar reader (ustar, pax `x` headers, GNU long names) that extracts into a
 * directory and refuses anything unsafe: absolute paths and `..` (ARCHIVE_PATH_ESCAPE), symlinks or
 * hardlinks that point outside the target (ARCHIVE_LINK_ESCAPE), devices and fifos
 * (ARCHIVE_UNSUPPORTED_ENTRY), paths that go through a symlink extracted earlier (a link chain;
 * ARCHIVE_LINK_ESCAPE: every parent is checked on disk, not by name), and archives whose entries add up past `maxBytes`
 * (ARCHIVE_TOO_LARGE). Modes are not restored (files 0644, directories 0755).
 */
import { createWriteStream } from 'node:fs';
import { link, lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { once } from 'node:events';
import { SourceError } from '../sources/errors.js';
import { ByteReader } from './byte-reader.js';
import { normalizeRelPath } from './safe-path.js';

export interface ExtractLimits {
  /** Sum of regular-file sizes allowed. */
  readonly maxBytes: number;
  /** Number of entries allowed (default 1,000,000). */
  readonly maxEntries?: number;
  readonly signal?: AbortSignal;
}

export interface ExtractedEntry {
  readonly path: string;
  readonly size: number;
  readonly type: 'file' | 'directory' | 'symlink' | 'hardlink';
}

const BLOCK = 512;
const MAX_META = 1 << 20;

function str(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const z = s.indexOf(0);
  return s.subarray(0, z === -1 ? len : z).toString('utf8');
}

function num(b: Buffer, off: number, len: number): number {
  const f = b.subarray(off, off + len);
  if (((f[0] ?? 0) & 0x80) !== 0) {
    // base-256 (GNU) for values past 8 GiB
    let v = (f[0] ?? 0) & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + (f[i] ?? 0);
    return v;
  }
  const t = str(b, off, len).trim();
  if (t === '') return 0;
  if (!/^[0-7]+$/.test(t)) throw new SourceError('ARCHIVE_CORRUPT', `tar header: bad octal field ${JSON.stringify(t)}`);
  return parseInt(t, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === num(h, 148, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > data.length)
      throw new SourceError('ARCHIVE_CORRUPT', 'tar pax header: bad record length');
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

function entryPath(raw: string): string | null {
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) {
    throw new SourceError(
      'ARCHIVE_PATH_ESCAPE',
      `archive entry has an absolute path ${JSON.stringify(raw.slice(0, 200))}`,
    );
  }
  const stripped = raw.replace(/^(\.\/)+/, '');
  if (stripped === '' || stripped === '.' || stripped === './') return null;
  const norm = normalizeRelPath(stripped);
  if (norm === null)
    throw new SourceError(
      'ARCHIVE_PATH_ESCAPE',
      `archive entry escapes the target: ${JSON.stringify(raw.slice(0, 200))}`,
    );
  return norm;
}

/**
 * Refuses an entry whose path goes through a symlink already on disk: names alone cannot tell that
 * `a/b/c` lands outside when an earlier member made `a/b` a link (a chain such as `a/b → ..`,
 * `a/b/c → ..`, then `c/file`). Every parent of `rel` under `destDir` must be a real directory.
 */
async function assertRealParents(destDir: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  let cur = destDir;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = join(cur, parts[i] as string);
    let st;
    try {
      st = await lstat(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // the rest will be created as directories
      throw err;
    }
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw new SourceError(
        'ARCHIVE_LINK_ESCAPE',
        `archive entry ${JSON.stringify(rel.slice(0, 200))} goes through ${JSON.stringify(parts.slice(0, i + 1).join('/'))}, which is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}; refusing`,
      );
    }
  }
}

/** Extracts the tar stream `input` under `destDir` (created if missing), enforcing the limits. */
export async function extractTar(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  destDir: string,
  limits: ExtractLimits,
): Promise<ExtractedEntry[]> {
  const reader = new ByteReader(input);
  const maxEntries = limits.maxEntries ?? 1_000_000;
  const entries: ExtractedEntry[] = [];
  const files = new Set<string>();
  let total = 0;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  await mkdir(destDir, { recursive: true });
  try {
    for (;;) {
      if (limits.signal?.aborted === true) throw new SourceError('FETCH_ABORTED', 'extraction aborted');
      const h = await reader.read(BLOCK);
      if (h.length === 0) break; // tolerate a missing end-of-archive marker
      if (h.length < BLOCK) throw new SourceError('ARCHIVE_CORRUPT', 'archive truncated inside a header');
      if (h.every((b) => b === 0)) break;
      if (!checksumOk(h))
        throw new SourceError('ARCHIVE_CORRUPT', 'tar header checksum mismatch (not a tar archive, or corrupted)');
      const type = String.fromCharCode(h[156] ?? 0);
      const size = num(h, 124, 12);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      const meta = async (): Promise<Buffer> => {
        if (size > MAX_META) throw new SourceError('ARCHIVE_CORRUPT', 'tar metadata entry too large');
        const d = await reader.read(padded);
        if (d.length < padded) throw new SourceError('ARCHIVE_CORRUPT', 'archive truncated inside metadata');
        return d.subarray(0, size);
      };
      if (type === 'x') {
        pax = { ...pax, ...parsePax(await meta()) };
        continue;
      }
      if (type === 'g') {
        await meta();
        continue;
      }
      if (type === 'L' || type === 'K') {
        const v = (await meta()).toString('utf8').replace(/\0+$/, '');
        if (type === 'L') longName = v;
        else longLink = v;
        continue;
      }
      const prefix = str(h, 345, 155);
      const rawName =
        pax['path'] ??
        longName ??
        (prefix !== '' && str(h, 257, 5) === 'ustar' ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
      const rawLink = pax['linkpath'] ?? longLink ?? str(h, 157, 100);
      const realSize = pax['size'] !== undefined ? Number(pax['size']) : size;
      pax = {};
      longName = null;
      longLink = null;
      if (entries.length >= maxEntries)
        throw new SourceError('ARCHIVE_TOO_LARGE', `archive has more than ${maxEntries} entries`);
      const rel = entryPath(rawName);
      const dataPadded = Math.ceil(realSize / BLOCK) * BLOCK;
      if (type === '3' || type === '4' || type === '6') {
        throw new SourceError(
          'ARCHIVE_UNSUPPORTED_ENTRY',
          `archive entry ${JSON.stringify(rawName.slice(0, 200))} is a ${type === '6' ? 'fifo' : 'device'}; refusing`,
        );
      }
      if (rel === null) {
        await reader.forward(dataPadded, () => Promise.resolve());
        continue;
      }
      const target = join(destDir, ...rel.split('/'));
      await assertRealParents(destDir, rel);
      if (type === '5') {
        await mkdir(target, { recursive: true, mode: 0o755 });
        entries.push({ path: rel, size: 0, type: 'directory' });
        await reader.forward(dataPadded, () => Promise.resolve());
        continue;
      }
      if (type === '2') {
        const joined = posix.normalize(posix.join(posix.dirname(rel), rawLink));
        const escapes =
          rawLink === '' ||
          rawLink.startsWith('/') ||
          rawLink.includes('\\') ||
          joined === '..' ||
          joined.startsWith('../');
        if (escapes) {
          throw new SourceError(
            'ARCHIVE_LINK_ESCAPE',
            `symlink ${JSON.stringify(rel)} points outside the target (${JSON.stringify(rawLink.slice(0, 200))})`,
          );
        }
        await mkdir(dirname(target), { recursive: true });
        await rm(target, { force: true, recursive: true });
        await symlink(rawLink, target);
        entries.push({ path: rel, size: 0, type: 'symlink' });
        continue;
      }
      if (type === '1') {
        const src = rawLink.startsWith('/') ? null : normalizeRelPath(rawLink.replace(/^(\.\/)+/, ''));
        if (src === null || !files.has(src)) {
          throw new SourceError(
            'ARCHIVE_LINK_ESCAPE',
            `hardlink ${JSON.stringify(rel)} points outside the extracted files (${JSON.stringify(rawLink.slice(0, 200))})`,
          );
        }
        await assertRealParents(destDir, src);
        await mkdir(dirname(target), { recursive: true });
        await rm(target, { force: true });
        await link(join(destDir, ...src.split('/')), target);
        entries.push({ path: rel, size: 0, type: 'hardlink' });
        continue;
      }
      if (type !== '0' && type !== '\0' && type !== '7') {
        throw new SourceError(
          'ARCHIVE_UNSUPPORTED_ENTRY',
          `archive entry ${JSON.stringify(rel)} has unsupported type ${JSON.stringify(type)}`,
        );
      }
      if (!Number.isSafeInteger(realSize) || realSize < 0)
        throw new SourceError('ARCHIVE_CORRUPT', `bad size for ${JSON.stringify(rel)}`);
      total += realSize;
      if (total > limits.maxBytes) {
        throw new SourceError('ARCHIVE_TOO_LARGE', `archive expands past the limit of ${limits.maxBytes} bytes`);
      }
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { force: true });
      const ws = createWriteStream(target, { mode: 0o644 });
      const got = await reader.forward(realSize, async (chunk) => {
        if (!ws.write(chunk)) await once(ws, 'drain');
      });
      ws.end();
      await once(ws, 'close');
      if (got < realSize) throw new SourceError('ARCHIVE_CORRUPT', `archive truncated inside ${JSON.stringify(rel)}`);
      await reader.forward(dataPadded - realSize, () => Promise.resolve());
      files.add(rel);
      entries.push({ path: rel, size: realSize, type: 'file' });
    }
  } finally {
    await reader.close();
  }
  return entries;
}
