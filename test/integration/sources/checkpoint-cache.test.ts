import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../../orchestrator/storage/cache/cache-key.js';
import { CheckpointCache, type FillResult } from '../../../orchestrator/storage/cache/checkpoint-cache.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ckpt-cache-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const signal = new AbortController().signal;
const key = (n: string) =>
  cacheKey({ source: 'HF', repo: `acme/${n}`, repoType: 'model', resolvedRevision: 'a'.repeat(40), filter: {} });

function filler(content: string, calls: { n: number }): (dir: string) => Promise<FillResult> {
  return async (dir) => {
    calls.n++;
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'sub/w.bin'), content);
    return { files: [{ path: 'sub/w.bin', size: content.length, sha256: null, etag: null }], bytes: content.length };
  };
}

/** Resolves with the first stdout line matching `re`, with a deadline. */
function lineFrom(child: ChildProcess, re: RegExp, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; got ${buf}`)), ms);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = buf.split('\n').find((l) => re.test(l));
      if (m !== undefined) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before ${re}; stdout: ${buf}`));
    });
  });
}

describe('CheckpointCache', () => {
  it('fills once, then hits; materializes by hardlink', async () => {
    const cache = new CheckpointCache({ dir: join(tmp, 'c1'), maxBytes: 1000 });
    const calls = { n: 0 };
    const a = await cache.getOrFill(key('a'), filler('hello', calls), { signal });
    const b = await cache.getOrFill(key('a'), filler('other', calls), { signal });
    expect([a.hit, b.hit, calls.n]).toEqual([false, true, 1]);
    const dest = join(tmp, 'ws1/checkpoint');
    await cache.materialize(b.entry, dest);
    expect(await readFile(join(dest, 'sub/w.bin'), 'utf8')).toBe('hello');
    const [s1, s2] = await Promise.all([stat(join(dest, 'sub/w.bin')), stat(join(b.entry.filesDir, 'sub/w.bin'))]);
    expect(s1.ino).toBe(s2.ino);
    await cache.materialize(b.entry, join(tmp, 'ws1/copy'));
    const copy = new CheckpointCache({ dir: join(tmp, 'c1'), maxBytes: 1000, linkMode: 'copy' });
    await copy.materialize(b.entry, join(tmp, 'ws2'));
    expect((await stat(join(tmp, 'ws2/sub/w.bin'))).ino).not.toBe(s2.ino);
  });

  it('single-flights concurrent fills of one key in one process', async () => {
    const cache = new CheckpointCache({ dir: join(tmp, 'c2'), maxBytes: 1000 });
    const calls = { n: 0 };
    const results = await Promise.all([1, 2, 3].map(() => cache.getOrFill(key('b'), filler('x', calls), { signal })));
    expect(calls.n).toBe(1);
    expect(results.map((r) => r.hit).sort()).toEqual([false, true, true]);
  });

  it('single-flights across processes with a lock file', async () => {
    const dir = join(tmp, 'c3');
    const ctl = join(tmp, 'ctl3');
    await mkdir(ctl, { recursive: true });
    const k = key('c');
    const run = () =>
      spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cache-child.ts'), dir, k, ctl], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const first = run();
    await lineFrom(first, /^FILLING$/);
    const second = run();
    await lineFrom(second, /^WAITING$/);
    const results = [lineFrom(first, /^RESULT/), lineFrom(second, /^RESULT/)];
    await writeFile(join(ctl, 'go'), '');
    expect(await Promise.all(results)).toEqual(['RESULT hit=false', 'RESULT hit=true']);
    expect((await readFile(join(ctl, 'fills'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(await readdir(join(dir, 'locks'))).toEqual([]);
  });

  it('takes over a lock whose holder died, or whose heartbeat went stale', async () => {
    const dir = join(tmp, 'c4');
    await mkdir(join(dir, 'locks'), { recursive: true });
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid ?? 0)));
    const { hostname } = await import('node:os');
    await writeFile(
      join(dir, 'locks', `${key('d')}.lock`),
      JSON.stringify({ pid: deadPid, host: hostname(), token: 't', createdAt: 0 }),
    );
    const cache = new CheckpointCache({ dir, maxBytes: 1000, lockPollMs: 10, lockTimeoutMs: 5000 });
    const calls = { n: 0 };
    expect((await cache.getOrFill(key('d'), filler('x', calls), { signal })).hit).toBe(false);
    // A live pid (ours) but an mtime far in the past: stale by heartbeat.
    const lockPath = join(dir, 'locks', `${key('e')}.lock`);
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), token: 't2', createdAt: 0 }));
    await utimes(lockPath, 1000, 1000);
    expect((await cache.getOrFill(key('e'), filler('x', calls), { signal })).hit).toBe(false);
    expect(calls.n).toBe(2);
    // A live, fresh lock is respected until the timeout.
    await writeFile(
      join(dir, 'locks', `${key('f')}.lock`),
      JSON.stringify({ pid: process.pid, host: hostname(), token: 't3', createdAt: 0 }),
    );
    let fake = 0; // a clock far behind the lock's mtime: never stale, and 10 ms per poll
    const waiting = new CheckpointCache({
      dir,
      maxBytes: 1000,
      lockPollMs: 1,
      lockTimeoutMs: 50,
      now: () => (fake += 10),
    });
    await expect(waiting.getOrFill(key('f'), filler('x', calls), { signal })).rejects.toMatchObject({
      code: 'CACHE_LOCK_TIMEOUT',
      retryable: true,
    });
    expect(calls.n).toBe(2);
  });

  it('evicts least-recently-used entries past the size budget', async () => {
    let clock = 1_000_000_000_000;
    const cache = new CheckpointCache({ dir: join(tmp, 'c5'), maxBytes: 250, now: () => (clock += 1000) });
    const calls = { n: 0 };
    const hundred = 'x'.repeat(100);
    await cache.getOrFill(key('one'), filler(hundred, calls), { signal });
    await cache.getOrFill(key('two'), filler(hundred, calls), { signal });
    await cache.getOrFill(key('one'), filler(hundred, calls), { signal }); // touch: 'two' is now the oldest
    await cache.getOrFill(key('three'), filler(hundred, calls), { signal });
    expect((await cache.list()).map((e) => e.key).sort()).toEqual([key('one'), key('three')].sort());
    expect(await cache.get(key('two'))).toBeNull();
    expect(calls.n).toBe(3);
  });

  it('keeps a failed fill staged so the next fill resumes it', async () => {
    const cache = new CheckpointCache({ dir: join(tmp, 'c6'), maxBytes: 1000 });
    const seen: string[] = [];
    await expect(
      cache.getOrFill(
        key('g'),
        async (dir) => {
          await writeFile(join(dir, 'w.bin.partial'), 'half');
          throw new Error('connection reset');
        },
        { signal },
      ),
    ).rejects.toThrow('connection reset');
    expect(await cache.get(key('g'))).toBeNull();
    await cache.getOrFill(
      key('g'),
      async (dir) => {
        seen.push(...(await readdir(dir)));
        await writeFile(join(dir, 'w.bin'), 'halfdone');
        return { files: [{ path: 'w.bin', size: 8, sha256: null, etag: null }], bytes: 8 };
      },
      { signal },
    );
    expect(seen).toEqual(['w.bin.partial']);
    expect(await readdir(join(tmp, 'c6', 'locks'))).toEqual([]);
  });
});
