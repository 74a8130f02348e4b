import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointCacheFromEnv } from '../../../orchestrator/storage/cache/cache-from-env.js';
import { createDigester } from '../../../orchestrator/storage/util/digester.js';

describe('digester', () => {
  it('computes the same sha256 and md5 inline and in a worker, including for shared-memory slices', async () => {
    const data = randomBytes(3 << 20);
    const expected = {
      sha256: createHash('sha256').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
      gitSha1: createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex'),
    };
    for (const offload of [false, true]) {
      const d = createDigester({ sha256: true, md5: true, gitBlobSize: data.length }, offload);
      expect(d.takesOwnership).toBe(offload);
      // Slices of one ArrayBuffer: the worker path must copy them, not detach the shared memory.
      const src = Buffer.from(data);
      for (let i = 0; i < src.length; i += 700_001) d.update(src.subarray(i, i + 700_001));
      expect(await d.digests()).toEqual(expected);
      expect(src.equals(data)).toBe(true);
    }
    const onlySha = createDigester({ sha256: true, md5: false }, true);
    onlySha.update(Buffer.from('abc'));
    expect(await onlySha.digests()).toEqual({ sha256: createHash('sha256').update('abc').digest('hex'), md5: null, gitSha1: null });
    // `git hash-object` of "hello\n" is ce013625030ba8dba906f756967f9e9ca394464a.
    const git = createDigester({ sha256: false, md5: false, gitBlobSize: 6 }, true);
    git.update(Buffer.from('hello\n'));
    expect((await git.digests()).gitSha1).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('builds the cache from the environment only when a directory is set', () => {
    expect(checkpointCacheFromEnv({})).toBeUndefined();
    expect(checkpointCacheFromEnv({ TRT_CHECKPOINT_CACHE_DIR: '/tmp/x', TRT_CHECKPOINT_CACHE_MAX_GIB: '1' })).toBeDefined();
    expect(() => checkpointCacheFromEnv({ TRT_CHECKPOINT_CACHE_DIR: '/tmp/x', TRT_CHECKPOINT_CACHE_MAX_GIB: 'lots' })).toThrow(/positive number/);
  });
});
