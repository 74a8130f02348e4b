/**
 * Local-directory artifact store (`file:///path`). Every write goes to a temp file under
 * `<root>/.incoming/`, is fsynced, then renamed into place, so a reader never sees a partial
 * object. Keys follow `object-key.ts`; the top-level segment `.incoming` is reserved. A key whose
 * path would leave the root through a symlink planted inside it fails with `UNSAFE_PATH`.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectInfo } from '../ports.js';
import { ArtifactStoreError } from './errors.js';
import { assertListPrefix, assertObjectKey } from './object-key.js';
import type { StreamingArtifactStore } from './readable-store.js';
import { formatStoreUrl } from './store-url.js';

const INCOMING = '.incoming';
const PLACE_ATTEMPTS = 3;

/** A store rooted at an absolute directory (created on first write). */
export class LocalArtifactStore implements StreamingArtifactStore {
  readonly url: string;
  readonly root: string;

  constructor(root: string) {
    if (!root.startsWith('/') || root === '/') {
      throw new ArtifactStoreError(
        'INVALID_STORE_URL',
        `local store root must be an absolute directory below "/" (got ${JSON.stringify(root)})`,
      );
    }
    this.root = root.endsWith('/') ? root.slice(0, -1) : root;
    this.url = formatStoreUrl({ kind: 'file', root: this.root });
  }

  async putFile(key: string, filePath: string): Promise<ObjectInfo> {
    const target = this.pathOf(key);
    const info = await stat(filePath).catch(() => null);
    if (info === null || !info.isFile()) {
      throw new ArtifactStoreError(
        'SOURCE_NOT_FOUND',
        `putFile ${JSON.stringify(key)}: ${JSON.stringify(filePath)} is not a readable regular file`,
        key,
      );
    }
    const tmp = await this.tempPath();
    try {
      await copyFile(filePath, tmp);
      const size = await syncAndSize(tmp);
      await this.place(tmp, target, key);
      return { key, size, etag: null };
    } catch (err) {
      await rm(tmp, { force: true });
      throw toStoreError(err, `putFile ${JSON.stringify(key)}`, key);
    }
  }

  async putBytes(key: string, body: Uint8Array | string, _contentType?: string): Promise<ObjectInfo> {
    const target = this.pathOf(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const tmp = await this.tempPath();
    try {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await this.place(tmp, target, key);
      return { key, size: bytes.byteLength, etag: null };
    } catch (err) {
      await rm(tmp, { force: true });
      throw toStoreError(err, `putBytes ${JSON.stringify(key)}`, key);
    }
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    const path = this.pathOf(key);
    await this.assertConfined(path, key);
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      if (isMissing(err)) return null;
      throw toStoreError(err, `getBytes ${JSON.stringify(key)}`, key);
    }
  }

  async getStream(key: string): Promise<Readable | null> {
    const path = this.pathOf(key);
    await this.assertConfined(path, key);
    try {
      const fh = await open(path, 'r');
      const info = await fh.stat();
      if (!info.isFile()) {
        await fh.close();
        return null;
      }
      return fh.createReadStream();
    } catch (err) {
      if (isMissing(err)) return null;
      throw toStoreError(err, `getStream ${JSON.stringify(key)}`, key);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const path = this.pathOf(key);
    await this.assertConfined(path, key);
    try {
      const info = await stat(path);
      return info.isFile() ? { key, size: info.size, etag: null } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw toStoreError(err, `head ${JSON.stringify(key)}`, key);
    }
  }

  async list(prefix: string): Promise<readonly ObjectInfo[]> {
    assertListPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash === -1 ? '' : prefix.slice(0, slash);
    const out: ObjectInfo[] = [];
    try {
      await this.walk(dirKey, prefix, out);
    } catch (err) {
      throw toStoreError(err, `list ${JSON.stringify(prefix)}`, null);
    }
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await this.assertConfined(dirname(path), key);
    try {
      await unlink(path);
    } catch (err) {
      if (isMissing(err) || errnoOf(err) === 'EISDIR' || errnoOf(err) === 'EPERM') return;
      throw toStoreError(err, `delete ${JSON.stringify(key)}`, key);
    }
    await this.pruneEmptyParents(dirname(path));
  }

  private pathOf(key: string): string {
    assertObjectKey(key);
    if (key === INCOMING || key.startsWith(`${INCOMING}/`)) {
      throw new ArtifactStoreError(
        'INVALID_KEY',
        `invalid object key ${JSON.stringify(key)}: "${INCOMING}" is reserved by the local store`,
        key,
      );
    }
    return join(this.root, key);
  }

  private async tempPath(): Promise<string> {
    const dir = join(this.root, INCOMING);
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw toStoreError(err, `create ${JSON.stringify(dir)}`, null);
    }
    await this.assertConfined(dir, INCOMING);
    return join(dir, `${randomUUID()}.partial`);
  }

  /** Renames tmp onto target, creating parents; retries when a concurrent delete pruned a parent. */
  private async place(tmp: string, target: string, key: string): Promise<void> {
    await this.assertConfined(dirname(target), key);
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(target), { recursive: true });
        await rename(tmp, target);
        return;
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTEMPTY') {
          throw new ArtifactStoreError(
            'KEY_CONFLICT',
            `cannot store ${JSON.stringify(key)}: a parent path is an object or the key is a directory of other objects`,
            key,
          );
        }
        if (code !== 'ENOENT' || attempt >= PLACE_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Throws `UNSAFE_PATH` unless the deepest existing ancestor of `path` (or `path` itself) resolves
   * inside the root. Dangling links and missing paths resolve through their parents.
   */
  private async assertConfined(path: string, key: string): Promise<void> {
    const root = await realpath(this.root).catch(() => null);
    if (root === null) return; // no root yet: nothing stored, nothing planted
    for (let current = path; current.length > this.root.length; current = dirname(current)) {
      let real: string;
      try {
        real = await realpath(current);
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw toStoreError(err, `resolve ${JSON.stringify(key)}`, key);
      }
      if (real === root || real.startsWith(`${root}/`)) return;
      throw new ArtifactStoreError(
        'UNSAFE_PATH',
        `key ${JSON.stringify(key)} leads outside the store root through a symbolic link`,
        key,
      );
    }
  }

  private async walk(dirKey: string, prefix: string, out: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dirKey === '' ? this.root : join(this.root, dirKey), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    const files: string[] = [];
    for (const entry of entries) {
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (dirKey === '' && entry.name === INCOMING) continue;
      if (entry.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        files.push(key);
      }
    }
    const infos = await Promise.all(files.map((key) => this.head(key)));
    for (const info of infos) if (info !== null) out.push(info);
  }

  private async pruneEmptyParents(dir: string): Promise<void> {
    let current = dir;
    while (current.length > this.root.length && current.startsWith(`${this.root}/`)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty, already gone, or not ours to remove: stop quietly
      }
      current = dirname(current);
    }
  }
}

async function syncAndSize(path: string): Promise<number> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function isMissing(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

function toStoreError(err: unknown, what: string, key: string | null): ArtifactStoreError {
  if (err instanceof ArtifactStoreError) return err;
  const code = errnoOf(err) ?? 'unknown';
  const detail = err instanceof Error ? err.message : String(err);
  return new ArtifactStoreError('STORE_IO', `${what} failed (${code}): ${detail}`, key);
}
