import { describe, expect, it } from 'vitest';
import { checkFetchItem } from '../../../orchestrator/storage/fetch-plan-items.js';
import { toSourceError } from '../../../orchestrator/storage/sources/errors.js';
import { sourcesFromEnv } from '../../../orchestrator/storage/sources/sources-from-env.js';

const sys = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('error classification for retry decisions', () => {
  it('separates network failures, full disks, permissions and bugs', () => {
    const c = (err: unknown) => toSourceError(err, { what: 'w' });
    expect(c(sys('ECONNRESET'))).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(c(sys('UND_ERR_SOCKET'))).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(c(new TypeError('fetch failed', { cause: sys('ECONNREFUSED') }))).toMatchObject({
      code: 'NETWORK_ERROR',
      retryable: true,
    });
    expect(c(sys('ENOSPC'))).toMatchObject({ code: 'DISK_FULL', retryable: false });
    expect(c(sys('EACCES'))).toMatchObject({ code: 'DEST_NOT_WRITABLE', retryable: false });
    expect(c(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({
      code: 'FETCH_INTERNAL_ERROR',
      retryable: false,
    });
    expect(c(new Error('connection closed before the body ended'))).toMatchObject({
      code: 'NETWORK_ERROR',
      retryable: true,
    });
  });
});

describe('checkFetchItem', () => {
  const sources = sourcesFromEnv({});
  const good = {
    role: 'checkpoint',
    name: null,
    source: 'HF',
    repo: 'a/b',
    revision: null,
    repoType: 'model',
    secretName: null,
    dest: '/workspace/x',
  };
  it('accepts a well-formed item and names the bad field otherwise', () => {
    expect(checkFetchItem(good, sources)).toBe(good);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ source: 'LOCAL' }, 'SOURCE_UNSUPPORTED', /unknown source "LOCAL"/],
      [{ source: '__proto__' }, 'SOURCE_UNSUPPORTED', /unknown source/],
      [{ repo: 42 }, 'SOURCE_REPO_INVALID', /repo must be/],
      [{ repo: 'x'.repeat(5000) }, 'SOURCE_REPO_INVALID', /repo must be/],
      [{ revision: ['main'] }, 'SOURCE_REPO_INVALID', /revision must be/],
      [{ repoType: 'space' }, 'SOURCE_REPO_INVALID', /repoType/],
      [{ role: 'weights' }, 'SOURCE_REPO_INVALID', /role/],
      [{ dest: 'a\0b' }, 'SOURCE_REPO_INVALID', /dest/],
    ];
    for (const [patch, code, msg] of cases) {
      let err: unknown = null;
      try {
        checkFetchItem({ ...good, ...patch }, sources);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code, retryable: false });
      expect((err as Error).message).toMatch(msg);
    }
    expect(() => checkFetchItem(null, sources)).toThrow(/must be an object/);
  });
});
