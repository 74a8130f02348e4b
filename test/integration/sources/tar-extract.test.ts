import { mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSourceError } from '../../../orchestrator/storage/sources/errors.js';
import { extractTar } from '../../../orchestrator/storage/util/tar-extract.js';
import { makeTar, paxEntry } from '../../fixtures/servers/remote-url-server.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tar-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function* chunks(buf: Buffer, size = 777): Iterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isSourceError(err)) return err.code;
    throw err;
  }
  return 'OK';
}

describe('extractTar', () => {
  it('handles pax long paths, GNU long names, inner symlinks and hardlinks, odd chunking', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}.json`;
    const gnu = `${'g'.repeat(150)}.txt`;
    const tar = makeTar([
      paxEntry({ path: long }),
      { name: 'ignored-short-name', data: 'pax' },
      { name: '././@LongLink', type: 'L', data: `${gnu}\0` },
      { name: 'short', data: 'gnu' },
      { name: 'a/file.txt', data: 'hello' },
      { name: 'a/hard.txt', type: '1', linkname: 'a/file.txt' },
      { name: 'a/soft.txt', type: '2', linkname: 'file.txt' },
    ]);
    const dest = join(tmp, 'ok');
    const entries = await extractTar(chunks(tar), dest, { maxBytes: 1000 });
    expect(entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      `file:${long}`,
      `file:${gnu}`,
      'file:a/file.txt',
      'hardlink:a/hard.txt',
      'symlink:a/soft.txt',
    ]);
    expect(await readFile(join(dest, long), 'utf8')).toBe('pax');
    expect(await readFile(join(dest, gnu), 'utf8')).toBe('gnu');
    expect((await stat(join(dest, 'a/hard.txt'))).nlink).toBe(2);
    expect(await readlink(join(dest, 'a/soft.txt'))).toBe('file.txt');
  });

  it('rejects garbage, truncation and pax paths that escape', async () => {
    expect(await code(extractTar(chunks(Buffer.alloc(600, 7)), join(tmp, 'g'), { maxBytes: 1000 }))).toBe(
      'ARCHIVE_CORRUPT',
    );
    const full = makeTar([{ name: 'x.bin', data: Buffer.alloc(2000, 1) }], { end: false });
    expect(await code(extractTar(chunks(full.subarray(0, 1200)), join(tmp, 't'), { maxBytes: 10_000 }))).toBe(
      'ARCHIVE_CORRUPT',
    );
    const pax = makeTar([paxEntry({ path: '../../pax-escape' }), { name: 'innocent', data: 'x' }]);
    expect(await code(extractTar(chunks(pax), join(tmp, 'p'), { maxBytes: 1000 }))).toBe('ARCHIVE_PATH_ESCAPE');
    const many = makeTar(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    expect(await code(extractTar(chunks(many), join(tmp, 'm'), { maxBytes: 1000, maxEntries: 3 }))).toBe(
      'ARCHIVE_TOO_LARGE',
    );
    const sneaky = makeTar([
      { name: 'dir', type: '2', linkname: '.' },
      { name: 'dir/../../x', data: 'x' },
    ]);
    expect(await code(extractTar(chunks(sneaky), join(tmp, 's'), { maxBytes: 1000 }))).toBe('ARCHIVE_PATH_ESCAPE');
  });
});
