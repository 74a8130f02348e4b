/**
 * Child process for the cross-process single-flight test: opens the cache in argv[2], fills key
 * argv[3] with a fill that records itself in argv[4]/fills and waits for argv[4]/go, and prints
 * `WAITING` when it has to wait on another holder and `RESULT hit=<bool>` at the end.
 */
import { appendFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointCache } from '../../../orchestrator/storage/cache/checkpoint-cache.js';

const [dir, key, ctl] = process.argv.slice(2) as [string, string, string];
const cache = new CheckpointCache({ dir, maxBytes: 1 << 30, lockPollMs: 20, onWait: () => console.log('WAITING') });

async function waitFor(path: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${path}`);
}

const res = await cache.getOrFill(
  key,
  async (staging) => {
    await appendFile(join(ctl, 'fills'), `${process.pid}\n`);
    console.log('FILLING');
    await waitFor(join(ctl, 'go'));
    await writeFile(join(staging, 'w.bin'), 'weights');
    return { files: [{ path: 'w.bin', size: 7, sha256: null, etag: null }], bytes: 7 };
  },
  { signal: new AbortController().signal },
);
console.log(`RESULT hit=${res.hit}`);
