import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OFF_THREAD_MIN_BYTES,
  sha256Bytes,
  sha256File,
  sha256Stream,
} from '../../../orchestrator/storage/publish/hash-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hash-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sha256File', () => {
  it('hashes small files inline and large files in a worker, with the same result as node:crypto', async () => {
    const big = randomBytes(OFF_THREAD_MIN_BYTES + 12345);
    const path = join(dir, 'big.bin');
    await writeFile(path, big);
    const expected = { sha256: createHash('sha256').update(big).digest('hex'), size: big.length };
    expect(await sha256File(path, big.length)).toEqual(expected); // worker thread
    expect(await sha256File(path)).toEqual(expected); // inline
  });

  it('rejects for a missing file on both paths', async () => {
    await expect(sha256File(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
    await expect(sha256File(join(dir, 'missing'), OFF_THREAD_MIN_BYTES)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('hashes streams and bytes identically', async () => {
    const text = 'hello, manifest';
    const expected = createHash('sha256').update(text).digest('hex');
    expect(await sha256Stream(Readable.from([Buffer.from('hello, '), 'manifest']))).toEqual({
      sha256: expected,
      size: 15,
    });
    expect(sha256Bytes(text)).toEqual({ sha256: expected, size: 15 });
    expect(sha256Bytes(new Uint8Array(0)).sha256).toBe(createHash('sha256').digest('hex'));
  });
});
