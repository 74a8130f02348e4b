import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../orchestrator/storage/sources/errors.js';
import { downloadFileSet } from '../../../orchestrator/storage/util/download-set.js';

const files = [
  { path: 'a.bin', size: 10, sha256: null, etag: null },
  { path: 'b.bin', size: 20, sha256: null, etag: null },
];

describe('downloadFileSet', () => {
  it('cancels the other files as soon as one fails, and reports the first failure', async () => {
    let bSawAbort = false;
    const err = await downloadFileSet(
      files,
      '/nonexistent-dest-for-test',
      { secrets: {}, signal: new AbortController().signal },
      'set',
      async (file, _p, _b, signal) => {
        if (file.path === 'a.bin') {
          await Promise.resolve();
          throw new SourceError('CHECKSUM_MISMATCH', 'a is corrupt');
        }
        if (!signal.aborted)
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        bSawAbort = true;
        throw new SourceError('FETCH_ABORTED', 'b aborted');
      },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(bSawAbort).toBe(true);
  });

  it('refuses an empty selection and unsafe paths', async () => {
    const opts = { secrets: {}, signal: new AbortController().signal };
    await expect(
      downloadFileSet(files, '/x', { ...opts, allow: ['*.json'] }, 'set', () => Promise.resolve()),
    ).rejects.toMatchObject({ code: 'SOURCE_EMPTY' });
    const bad = [{ path: '../escape', size: 1, sha256: null, etag: null }];
    await expect(downloadFileSet(bad, '/x', opts, 'set', () => Promise.resolve())).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
  });
});
