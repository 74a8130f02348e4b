/**
 * The shared conformance suite every `ArtifactStore` adapter must pass. Call it from a test file
 * with a factory that returns a fresh, empty store each time (own temp dir or own key prefix).
 *
 * Not here: atomicity of concurrent writes to one key. Real S3 and the local adapter guarantee it
 * (tested in local-store.test.ts), but s3rver writes objects in place and can interleave them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isArtifactStoreError } from '../../../orchestrator/storage/artifacts/errors.js';
import { canStream } from '../../../orchestrator/storage/artifacts/readable-store.js';
import type { ArtifactStore } from '../../../orchestrator/storage/ports.js';

export type StoreFactory = () => Promise<ArtifactStore>;

const INVALID_KEYS: readonly string[] = [
  '',
  '/abs/key',
  '../escape',
  'a/../../escape',
  'a/./b',
  '.',
  '..',
  'a//b',
  'trailing/',
  'back\\slash',
  'nul\0byte',
  'new\nline',
  'x'.repeat(1025),
  'lone\ud800surrogate',
];

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Registers the conformance tests for one adapter. */
export function describeArtifactStoreConformance(name: string, makeStore: StoreFactory): void {
  describe(`ArtifactStore conformance: ${name}`, () => {
    let scratch: string;
    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'store-conf-'));
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    it('round-trips bytes and strings, and head reports the size', async () => {
      const store = await makeStore();
      const bin = new Uint8Array(256).map((_, i) => i);
      expect(await store.putBytes('a/bin', bin)).toMatchObject({ key: 'a/bin', size: 256 });
      expect(await store.putBytes('a/text.json', '{"ü":1}', 'application/json')).toMatchObject({
        key: 'a/text.json',
        size: 8,
      });
      expect(Buffer.from((await store.getBytes('a/bin')) ?? [])).toEqual(Buffer.from(bin));
      expect(Buffer.from((await store.getBytes('a/text.json')) ?? []).toString('utf8')).toBe('{"ü":1}');
      expect(await store.head('a/bin')).toMatchObject({ key: 'a/bin', size: 256 });
    });

    it('returns null for missing keys from getBytes and head', async () => {
      const store = await makeStore();
      expect(await store.getBytes('missing/key')).toBeNull();
      expect(await store.head('missing/key')).toBeNull();
      await store.putBytes('present/x', 'x');
      expect(await store.head('present')).toBeNull(); // a "directory" is not an object
      expect(await store.getBytes('present')).toBeNull();
    });

    it('stores empty objects', async () => {
      const store = await makeStore();
      expect(await store.putBytes('empty', new Uint8Array(0))).toMatchObject({ size: 0 });
      expect(await store.head('empty')).toMatchObject({ size: 0 });
      expect((await store.getBytes('empty'))?.byteLength).toBe(0);
    });

    it('uploads a file with putFile and reads it back identically', async () => {
      const store = await makeStore();
      const data = randomBytes(300_000);
      const file = join(scratch, 'upload.bin');
      await writeFile(file, data);
      expect(await store.putFile('engines/rank0.engine', file)).toMatchObject({
        key: 'engines/rank0.engine',
        size: data.length,
      });
      const back = Buffer.from((await store.getBytes('engines/rank0.engine')) ?? []);
      expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    });

    it('streams objects when the adapter offers getStream', async () => {
      const store = await makeStore();
      expect(canStream(store)).toBe(true);
      if (!canStream(store)) return;
      await store.putBytes('s/obj', 'streamed content');
      const stream = await store.getStream('s/obj');
      expect(stream).not.toBeNull();
      expect((await collect(stream!)).toString()).toBe('streamed content');
      expect(await store.getStream('s/none')).toBeNull();
    });

    it('overwrites an existing key', async () => {
      const store = await makeStore();
      await store.putBytes('k', 'first version, longer');
      await store.putBytes('k', 'second');
      expect(Buffer.from((await store.getBytes('k')) ?? []).toString()).toBe('second');
      expect(await store.head('k')).toMatchObject({ size: 6 });
    });

    it('lists by string prefix, sorted, with sizes, and nothing else', async () => {
      const store = await makeStore();
      expect(await store.list('')).toEqual([]);
      await Promise.all([
        store.putBytes('dir/b', 'bb'),
        store.putBytes('dir/a', 'a'),
        store.putBytes('dir/sub/c', 'ccc'),
        store.putBytes('dirx', 'x'),
        store.putBytes('other/d', 'dddd'),
      ]);
      const keys = async (p: string): Promise<string[]> => (await store.list(p)).map((o) => o.key);
      expect(await keys('dir/')).toEqual(['dir/a', 'dir/b', 'dir/sub/c']);
      expect(await keys('dir')).toEqual(['dir/a', 'dir/b', 'dir/sub/c', 'dirx']);
      expect(await keys('dir/s')).toEqual(['dir/sub/c']);
      expect(await keys('nothing/')).toEqual([]);
      expect(await keys('')).toEqual(['dir/a', 'dir/b', 'dir/sub/c', 'dirx', 'other/d']);
      expect((await store.list('dir/sub/')).map((o) => o.size)).toEqual([3]);
    });

    it('lists more keys than one page', async () => {
      const store = await makeStore();
      const names = Array.from({ length: 23 }, (_, i) => `many/${String(i).padStart(3, '0')}`);
      await Promise.all(names.map((k) => store.putBytes(k, k)));
      expect((await store.list('many/')).map((o) => o.key)).toEqual(names);
    });

    it('handles keys with spaces, unicode and URL metacharacters', async () => {
      const store = await makeStore();
      const key = 'odd names/ünï cødé+%20&=?#;.bin';
      await store.putBytes(key, 'odd');
      expect(Buffer.from((await store.getBytes(key)) ?? []).toString()).toBe('odd');
      expect((await store.list('odd names/')).map((o) => o.key)).toEqual([key]);
    });

    it('deletes objects; deleting a missing key is a no-op', async () => {
      const store = await makeStore();
      await store.putBytes('del/one', '1');
      await store.putBytes('del/two', '2');
      await store.delete('del/one');
      await store.delete('del/one');
      await store.delete('never/existed');
      expect(await store.head('del/one')).toBeNull();
      expect(await store.getBytes('del/one')).toBeNull();
      expect((await store.list('del/')).map((o) => o.key)).toEqual(['del/two']);
    });

    it('rejects invalid keys with INVALID_KEY on every operation and writes nothing', async () => {
      const store = await makeStore();
      const file = join(scratch, 'small.txt');
      await writeFile(file, 'small');
      for (const key of INVALID_KEYS) {
        const ops: ReadonlyArray<() => Promise<unknown>> = [
          () => store.putBytes(key, 'x'),
          () => store.putFile(key, file),
          () => store.getBytes(key),
          () => store.head(key),
          () => store.delete(key),
        ];
        for (const op of ops) {
          const err: unknown = await op().then(
            () => null,
            (e: unknown) => e,
          );
          expect(isArtifactStoreError(err, 'INVALID_KEY'), `key ${JSON.stringify(key.slice(0, 20))}`).toBe(true);
        }
      }
      for (const prefix of ['/abs', '../', 'a/../', 'a//', 'nul\0']) {
        await expect(store.list(prefix)).rejects.toMatchObject({ code: 'INVALID_KEY' });
      }
      // Wrong runtime types (hostile callers bypassing TypeScript).
      await expect(store.putBytes(42 as unknown as string, 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(store.head(null as unknown as string)).rejects.toMatchObject({ code: 'INVALID_KEY' });
      expect(await store.list('')).toEqual([]);
    });

    it('putFile of a missing file or a directory fails with SOURCE_NOT_FOUND and creates nothing', async () => {
      const store = await makeStore();
      await expect(store.putFile('x', join(scratch, 'does-not-exist'))).rejects.toMatchObject({
        code: 'SOURCE_NOT_FOUND',
      });
      await expect(store.putFile('x', scratch)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
      expect(await store.head('x')).toBeNull();
    });
  });
}
