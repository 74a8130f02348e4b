// Child process for lock-race.test.ts: for each "<path>" line on stdin, tries once to take the
// lock (breaking it if stale) and answers "<path> won" or "<path> lost". Won locks are kept.
import { createInterface } from 'node:readline';
import { tryLock } from '../../orchestrator/storage/cache/file-lock.js';

const rl = createInterface({ input: process.stdin });
rl.on('line', (path) => {
  tryLock(path, { staleMs: 60_000, now: () => Date.now() }).then(
    (held) => process.stdout.write(`${path} ${held === null ? 'lost' : 'won'}\n`),
    (err: unknown) => process.stdout.write(`${path} error ${String(err)}\n`),
  );
});
process.stdout.write('ready\n');
