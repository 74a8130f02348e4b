/**
 * A cross-process lock file (`open(O_EXCL)`) holding `{pid, host, token, createdAt}`. The holder
 * refreshes its mtime as a heartbeat; a lock whose pid is dead on this host, or whose mtime is
 * older than `staleMs`, is stale and is broken by one breaker at a time (see `breakIfStale`). A
 * holder checks `stillHeld` before it commits anything, so even a lock lost to a takeover (a holder
 * paused past `staleMs`) never lets two fills commit the same entry.
 */
import { hostname } from 'node:os';
import { open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly createdAt: number;
}

export interface LockOptions {
  readonly staleMs: number;
  readonly now: () => number;
  /** Whether a pid is alive on this host (default: `process.kill(pid, 0)`). */
  readonly isAlive?: (pid: number) => boolean;
}

export interface HeldLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Refreshes the heartbeat (mtime). */
  touch(): Promise<void>;
  release(): Promise<void>;
}

/** Default liveness check: signal 0 (ESRCH means gone; EPERM means alive but not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let counter = 0;

/** Tries once to take the lock; returns null when another live holder has it. */
export async function tryLock(path: string, opts: LockOptions): Promise<HeldLock | null> {
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    token: `${process.pid}-${opts.now()}-${++counter}`,
    createdAt: opts.now(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify(info));
      } finally {
        await fh.close();
      }
      const t = opts.now() / 1000;
      await utimes(path, t, t);
      return {
        path,
        info,
        touch: async () => {
          const s = opts.now() / 1000;
          await utimes(path, s, s).catch(() => undefined);
        },
        release: async () => {
          const cur = await readLock(path);
          if (cur?.token === info.token) await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!(await breakIfStale(path, opts))) return null;
  }
  return null;
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' && typeof v.token === 'string' ? (v as LockInfo) : null;
  } catch {
    return null;
  }
}

/** True when the lock at `path` is stale under `opts` (a half-written lock counts by its mtime). */
export async function isStale(path: string, opts: LockOptions): Promise<boolean> {
  const [info, st] = await Promise.all([readLock(path), stat(path).catch(() => null)]);
  if (st === null) return false;
  if (opts.now() - st.mtimeMs > opts.staleMs) return true;
  if (info !== null && info.host === hostname()) return !(opts.isAlive ?? pidAlive)(info.pid);
  return false;
}

/**
 * Breaks a stale lock. "Check stale, then remove" is not atomic: two breakers that both saw the
 * old lock as stale could each remove it, the second removing the lock the first just took. So
 * breakers take turns through a second O_EXCL file (`<path>.break`) and re-check staleness while
 * holding it; whoever comes second sees the new, fresh lock and leaves it alone.
 */
async function breakIfStale(path: string, opts: LockOptions): Promise<boolean> {
  if (!(await isStale(path, opts))) return false;
  const gate = `${path}.break`;
  try {
    await (await open(gate, 'wx')).close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another breaker is at work; a gate left by a crashed breaker expires like a lock.
    const st = await stat(gate).catch(() => null);
    if (st !== null && opts.now() - st.mtimeMs > opts.staleMs) await unlink(gate).catch(() => undefined);
    return false;
  }
  try {
    if (!(await isStale(path, opts))) return false;
    const aside = `${path}.stale-${process.pid}-${++counter}`;
    try {
      await rename(path, aside);
    } catch {
      return true; // already gone; try to take it
    }
    await unlink(aside).catch(() => undefined);
    return true;
  } finally {
    await unlink(gate).catch(() => undefined);
  }
}

/** True while the lock file at `path` still carries `token` (checked before committing a fill). */
export async function stillHeld(path: string, token: string): Promise<boolean> {
  return (await readLock(path))?.token === token;
}
