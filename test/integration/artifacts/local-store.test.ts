import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '../../../orchestrator/storage/artifacts/local-store.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { describeArtifactStoreConformance } from './conformance.js';

let base: string;
let n = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'local-store-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describeArtifactStoreConformance('local directory (file://)', () =>
  Promise.resolve(artifactStoreFromUrl(pathToFileURL(join(base, `conf-${n++}`)).href)),
);

describe('LocalArtifactStore specifics', () => {
  const fresh = (): LocalArtifactStore => new LocalArtifactStore(join(base, `spec-${n++}`));

  it('reports a file:// url for its root and creates the root lazily', async () => {
    const store = fresh();
    expect(store.url).toBe(pathToFileURL(store.root).href);
    expect(await store.list('')).toEqual([]);
    await store.putBytes('x', 'y');
    expect(await readdir(store.root)).toContain('x');
  });

  it('never exposes a partial object while a large putFile is in flight', async () => {
    const store = fresh();
    const src = join(base, `big-${n++}.bin`);
    const size = 24 * 1024 * 1024;
    await writeFile(src, randomBytes(size));
    const seen = new Set<number | null>();
    let done = false;
    const put = store.putFile('big/engine.bin', src).finally(() => {
      done = true;
    });
    while (!done) {
      const head = await store.head('big/engine.bin');
      seen.add(head?.size ?? null);
      const listed = await store.list('big/');
      for (const o of listed) seen.add(o.size);
    }
    await put;
    seen.add((await store.head('big/engine.bin'))?.size ?? null);
    for (const s of seen) expect([null, size]).toContain(s);
    expect(seen.has(size)).toBe(true);
  });

  it('concurrent writes to one key leave exactly one whole value', async () => {
    const store = fresh();
    const values = Array.from({ length: 8 }, (_, i) => String(i).repeat(200_000 + i));
    await Promise.all(values.map((v) => store.putBytes('race', v)));
    const got = Buffer.from((await store.getBytes('race')) ?? []).toString();
    expect(values).toContain(got);
    expect((await store.list('')).map((o) => o.key)).toEqual(['race']);
    expect(await readdir(join(store.root, '.incoming'))).toEqual([]);
  });

  it('writes survive a concurrent delete pruning the same parent directory', async () => {
    const store = fresh();
    for (let i = 0; i < 40; i++) {
      await store.putBytes(`d${i}/old`, 'x');
      await Promise.all([store.delete(`d${i}/old`), store.putBytes(`d${i}/new`, 'y')]);
      expect(Buffer.from((await store.getBytes(`d${i}/new`)) ?? []).toString()).toBe('y');
    }
    expect((await store.list('')).length).toBe(40);
  });

  it('reserves the .incoming temp directory and hides it from list', async () => {
    const store = fresh();
    await store.putBytes('a', 'a');
    await expect(store.putBytes('.incoming/x', 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(store.getBytes('.incoming')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect((await store.list('')).map((o) => o.key)).toEqual(['a']);
    expect(await readdir(join(store.root, '.incoming'))).toEqual([]);
  });

  it('fails with KEY_CONFLICT when a parent is an object or the key is a directory, leaving no temp file', async () => {
    const store = fresh();
    await store.putBytes('a', 'file');
    await expect(store.putBytes('a/b', 'x')).rejects.toMatchObject({ code: 'KEY_CONFLICT', key: 'a/b' });
    await store.putBytes('d/e', 'x');
    await expect(store.putBytes('d', 'x')).rejects.toMatchObject({ code: 'KEY_CONFLICT' });
    expect(await readdir(join(store.root, '.incoming'))).toEqual([]);
    expect(Buffer.from((await store.getBytes('a')) ?? []).toString()).toBe('file');
  });

  it('keeps every write inside its root', async () => {
    const parent = join(base, `jail-${n++}`);
    await mkdir(parent);
    const store = new LocalArtifactStore(join(parent, 'root'));
    await expect(store.putBytes('../outside', 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(store.putBytes('a/../../outside', 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses keys that leave the root through a planted symlink, touching nothing outside', async () => {
    const store = fresh();
    const outside = join(base, `outside-${n++}`);
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'outside data');
    await store.putBytes('ok', 'inside');
    await symlink(outside, join(store.root, 'evil'));
    await symlink(join(outside, 'secret.txt'), join(store.root, 'link.txt'));
    for (const op of [
      () => store.putBytes('evil/new', 'x'),
      () => store.putBytes('evil/deeper/new', 'x'),
      () => store.getBytes('evil/secret.txt'),
      () => store.head('evil/secret.txt'),
      () => store.delete('evil/secret.txt'),
      () => store.getBytes('link.txt'),
      () => store.head('link.txt'),
    ]) {
      await expect(op()).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    }
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside data');
    expect((await store.list('')).map((o) => o.key)).toEqual(['ok']);
    // Overwriting the link itself replaces the link, never the file it points to.
    await store.putBytes('link.txt', 'replaced');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside data');
    expect(Buffer.from((await store.getBytes('link.txt')) ?? []).toString()).toBe('replaced');
  });

  it('works when the root itself is reached through a symlink', async () => {
    const real = join(base, `real-root-${n++}`);
    await mkdir(real);
    const linked = join(base, `linked-root-${n++}`);
    await symlink(real, linked);
    const store = new LocalArtifactStore(linked);
    await store.putBytes('a/b', 'via link');
    expect(Buffer.from((await store.getBytes('a/b')) ?? []).toString()).toBe('via link');
    expect(await readdir(join(real, 'a'))).toEqual(['b']);
  });

  it('removes empty parent directories after delete but not the root', async () => {
    const store = fresh();
    await store.putBytes('p/q/r', 'x');
    await store.delete('p/q/r');
    expect((await readdir(store.root)).filter((e) => e !== '.incoming')).toEqual([]);
  });

  it('rejects a relative or filesystem-root directory', () => {
    expect(() => new LocalArtifactStore('relative/dir')).toThrow(/absolute/);
    expect(() => new LocalArtifactStore('/')).toThrow(/absolute/);
  });
});
