/**
 * Local checkpoint cache on the builder host, content-addressed by `cacheKey(...)`:
 *
 *   <dir>/entries/<key>/entry.json   written last; its mtime is the entry's last use (LRU)
 *   <dir>/entries/<key>/files/...    the checkpoint files
 *   <dir>/staging/<key>.<owner>/...  a fill in progress, per lock owner (adopted by the next owner, so fills resume)
 *   <dir>/locks/<key>.lock           cross-process single flight (pid + heartbeat mtime)
 *
 * Two fills of one key in one process share a promise; across processes the lock file makes the
 * second wait and then reuse the first's entry. After a fill, least-recently-used entries are
 * evicted until the total is within `maxBytes` (the entry just filled is kept even if alone it is
 * larger). Entries are materialized into a workspace by hardlink (copy across filesystems).
 */
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ResolvedFile } from '../ports.js';
import { SourceError } from '../sources/errors.js';
import { safeJoin } from '../util/safe-path.js';
import { stillHeld, tryLock, type HeldLock } from './file-lock.js';

export interface CheckpointCacheOptions {
  readonly dir: string;
  /** Size budget in bytes. */
  readonly maxBytes: number;
  /** Clock in ms (default Date.now); used for LRU stamps and lock staleness. */
  readonly now?: () => number;
  /** A lock not refreshed for this long is stale (default 120 s; the holder refreshes every third of it). */
  readonly lockStaleMs?: number;
  /** Poll interval while another process fills the same key (default 250 ms). */
  readonly lockPollMs?: number;
  /** Give up waiting for another process after this long (default 12 h). */
  readonly lockTimeoutMs?: number;
  /** `hardlink` (default; falls back to copy) or `copy`. */
  readonly linkMode?: 'hardlink' | 'copy';
  readonly isAlive?: (pid: number) => boolean;
  /** Called once when this caller starts waiting on another holder (observability, tests). */
  readonly onWait?: (key: string) => void;
}

export interface CacheEntry {
  readonly key: string;
  readonly filesDir: string;
  readonly files: readonly ResolvedFile[];
  readonly bytes: number;
}

export interface FillResult {
  readonly files: readonly ResolvedFile[];
  readonly bytes: number;
}

export interface CacheLookup {
  readonly entry: CacheEntry;
  /** False only for the caller whose `fill` produced the entry. */
  readonly hit: boolean;
}

interface EntryJson extends FillResult {
  readonly key: string;
  readonly meta: unknown;
}

const KEY = /^[0-9a-f]{64}$/;

export class CheckpointCache {
  private readonly inflight = new Map<string, Promise<CacheLookup>>();
  private readonly now: () => number;

  constructor(private readonly opts: CheckpointCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  private entryDir(key: string): string {
    return join(this.opts.dir, 'entries', key);
  }

  /** The complete entry for `key`, or null. Does not update its LRU stamp. */
  async get(key: string): Promise<CacheEntry | null> {
    try {
      const j = JSON.parse(await readFile(join(this.entryDir(key), 'entry.json'), 'utf8')) as EntryJson;
      return { key, filesDir: join(this.entryDir(key), 'files'), files: j.files, bytes: j.bytes };
    } catch {
      return null;
    }
  }

  private async touch(key: string): Promise<void> {
    const t = this.now() / 1000;
    await utimes(join(this.entryDir(key), 'entry.json'), t, t).catch(() => undefined);
  }

  /**
   * Returns the entry for `key`, running `fill(stagingDir)` at most once per host to create it.
   * `fill` must write the files under the staging dir it is given (partial files there resume).
   */
  getOrFill(
    key: string,
    fill: (stagingDir: string) => Promise<FillResult>,
    opts: { signal: AbortSignal; meta?: unknown },
  ): Promise<CacheLookup> {
    if (!KEY.test(key)) return Promise.reject(new SourceError('UNSAFE_PATH', 'cache key must be 64 hex characters'));
    const running = this.inflight.get(key);
    if (running !== undefined) return running.then((r) => ({ entry: r.entry, hit: true }));
    const p = this.lookupOrFill(key, fill, opts).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async lookupOrFill(
    key: string,
    fill: (stagingDir: string) => Promise<FillResult>,
    opts: { signal: AbortSignal; meta?: unknown },
  ): Promise<CacheLookup> {
    const found = await this.get(key);
    if (found !== null) {
      await this.touch(key);
      return { entry: found, hit: true };
    }
    const lock = await this.acquire(key, opts.signal);
    try {
      const again = await this.get(key);
      if (again !== null) {
        await this.touch(key);
        return { entry: again, hit: true };
      }
      const staleMs = this.opts.lockStaleMs ?? 120_000;
      const beat = setInterval(() => void lock.touch(), Math.max(10, Math.floor(staleMs / 3)));
      beat.unref();
      let result: FillResult;
      // Per-owner staging: a holder that lost its lock never shares a directory name with the new
      // one; the new holder adopts (renames) an earlier owner's staging so partial files resume.
      const staging = join(this.opts.dir, 'staging', `${key}.${lock.info.token}`);
      try {
        await this.adoptStaging(key, staging);
        await mkdir(join(staging, 'files'), { recursive: true });
        result = await fill(join(staging, 'files'));
      } finally {
        clearInterval(beat);
      }
      const j: EntryJson = { key, files: result.files, bytes: result.bytes, meta: opts.meta ?? null };
      await writeFile(join(staging, 'entry.json'), JSON.stringify(j));
      const t = this.now() / 1000;
      await utimes(join(staging, 'entry.json'), t, t);
      await mkdir(join(this.opts.dir, 'entries'), { recursive: true });
      if (!(await stillHeld(lock.path, lock.info.token))) {
        // Taken over while filling (heartbeat stalled past lockStaleMs): the new holder commits.
        await rm(staging, { recursive: true, force: true });
        throw new SourceError(
          'CACHE_LOCK_TIMEOUT',
          `checkpoint cache: lost the fill lock for ${key} to another process; retry`,
        );
      }
      await rm(this.entryDir(key), { recursive: true, force: true });
      await rename(staging, this.entryDir(key));
      const entry: CacheEntry = {
        key,
        filesDir: join(this.entryDir(key), 'files'),
        files: result.files,
        bytes: result.bytes,
      };
      await this.evict(new Set([key]));
      return { entry, hit: false };
    } finally {
      await lock.release();
    }
  }

  // Renames the newest earlier staging dir of `key` (`<key>` or `<key>.<token>`) to `staging`; drops the rest.
  private async adoptStaging(key: string, staging: string): Promise<void> {
    const root = join(this.opts.dir, 'staging');
    const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n === key || n.startsWith(`${key}.`));
    const dated = await Promise.all(
      names.map(async (n) => ({ n, t: (await stat(join(root, n)).catch(() => null))?.mtimeMs ?? 0 })),
    );
    dated.sort((a, b) => b.t - a.t);
    for (const [i, { n }] of dated.entries()) {
      const from = join(root, n);
      if (from === staging) continue;
      if (i === 0) await rename(from, staging).catch(() => undefined);
      else await rm(from, { recursive: true, force: true });
    }
  }

  private async acquire(key: string, signal: AbortSignal): Promise<HeldLock> {
    const dir = join(this.opts.dir, 'locks');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${key}.lock`);
    const lockOpts = {
      staleMs: this.opts.lockStaleMs ?? 120_000,
      now: this.now,
      ...(this.opts.isAlive ? { isAlive: this.opts.isAlive } : {}),
    };
    const deadline = this.now() + (this.opts.lockTimeoutMs ?? 12 * 3600_000);
    let waited = false;
    for (;;) {
      if (signal.aborted)
        throw new SourceError('FETCH_ABORTED', 'checkpoint cache: aborted while waiting for another fill');
      const held = await tryLock(path, lockOpts);
      if (held !== null) return held;
      if (!waited) {
        waited = true;
        this.opts.onWait?.(key);
      }
      if (this.now() > deadline)
        throw new SourceError(
          'CACHE_LOCK_TIMEOUT',
          `checkpoint cache: another process has held ${key.slice(0, 12)} for too long`,
        );
      await new Promise<void>((r) => setTimeout(r, this.opts.lockPollMs ?? 250));
    }
  }

  /** All complete entries with their size and last use (ms). */
  async list(): Promise<{ key: string; bytes: number; lastUsedMs: number }[]> {
    const root = join(this.opts.dir, 'entries');
    const names = await readdir(root).catch(() => [] as string[]);
    const out: { key: string; bytes: number; lastUsedMs: number }[] = [];
    for (const key of names.filter((n) => KEY.test(n))) {
      const st = await stat(join(root, key, 'entry.json')).catch(() => null);
      const e = st === null ? null : await this.get(key);
      if (st !== null && e !== null) out.push({ key, bytes: e.bytes, lastUsedMs: st.mtimeMs });
    }
    return out;
  }

  /** Evicts least-recently-used entries (never `keep`, never ones being filled) until within budget. */
  async evict(keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    const all = (await this.list()).sort((a, b) => a.lastUsedMs - b.lastUsedMs);
    let total = all.reduce((n, e) => n + e.bytes, 0);
    const evicted: string[] = [];
    for (const e of all) {
      if (total <= this.opts.maxBytes) break;
      if (keep.has(e.key) || this.inflight.has(e.key)) continue;
      const trash = join(this.opts.dir, 'trash', `${e.key}-${process.pid}-${this.now()}`);
      await mkdir(dirname(trash), { recursive: true });
      try {
        await rename(this.entryDir(e.key), trash);
      } catch {
        continue; // another process evicted it first
      }
      await rm(trash, { recursive: true, force: true });
      total -= e.bytes;
      evicted.push(e.key);
    }
    return evicted;
  }

  /** Places the entry's files under `destDir` (hardlinks, or copies across filesystems), each atomically. */
  async materialize(entry: CacheEntry, destDir: string): Promise<void> {
    for (const f of entry.files) {
      const src = safeJoin(entry.filesDir, f.path);
      const dst = safeJoin(destDir, f.path);
      await mkdir(dirname(dst), { recursive: true });
      const tmp = `${dst}.partial`;
      await rm(tmp, { force: true });
      let linked = false;
      if ((this.opts.linkMode ?? 'hardlink') === 'hardlink') {
        try {
          await link(src, tmp);
          linked = true;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
        }
      }
      if (!linked) await copyFile(src, tmp);
      await rename(tmp, dst);
    }
    await this.touch(entry.key);
  }
}
