import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointCacheFromEnv } from '../../../orchestrator/storage/cache/cache-from-env.js';
import { createDigester } from '../../../orchestrator/storage/util/digester.js';

describe('digester', () => {
  it('computes sha256, md5 and the git blob id of chunked input', async () => {
    const data = randomBytes(3 << 20);
    const expected = {
      sha256: createHash('sha256').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
      gitSha1: createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex'),
    };
    const d = createDigester({ sha256: true, md5: true, gitBlobSize: data.length });
    for (let i = 0; i < data.length; i += 700_001) d.update(data.subarray(i, i + 700_001));
    expect(await d.digests()).toEqual(expected);
    const onlySha = createDigester({ sha256: true, md5: false });
    onlySha.update(Buffer.from('abc'));
    expect(await onlySha.digests()).toEqual({
      sha256: createHash('sha256').update('abc').digest('hex'),
      md5: null,
      gitSha1: null,
    });
    // `git hash-object` of "hello\n" is ce013625030ba8dba906f756967f9e9ca394464a.
    const git = createDigester({ sha256: false, md5: false, gitBlobSize: 6 });
    git.update(Buffer.from('hello\n'));
    expect((await git.digests()).gitSha1).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('builds the cache from the environment only when a directory is set', () => {
    expect(checkpointCacheFromEnv({})).toBeUndefined();
    expect(
      checkpointCacheFromEnv({ TRT_CHECKPOINT_CACHE_DIR: '/tmp/x', TRT_CHECKPOINT_CACHE_MAX_GIB: '1' }),
    ).toBeDefined();
    expect(() =>
      checkpointCacheFromEnv({ TRT_CHECKPOINT_CACHE_DIR: '/tmp/x', TRT_CHECKPOINT_CACHE_MAX_GIB: 'lots' }),
    ).toThrow(/positive number/);
  });
});
