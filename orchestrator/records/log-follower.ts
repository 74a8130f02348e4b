/**
 * Live log delivery without polling: one blocking connection per process runs `XREAD BLOCK` over
 * the log streams of every build someone follows, and hands new entries to that build's
 * subscribers. A new subscription wakes the blocked read with `CLIENT UNBLOCK` (single Redis); on
 * a Cluster the read blocks at most `clusterBlockMs`. Idle followers cost no Redis commands.
 * Entries may reach a subscriber twice (a later subscriber can move the shared cursor back):
 * subscribers skip what they have already sent.
 */
import type { Redis } from 'ioredis';
import type { RedisClient } from './redis-keys.js';
import type { LogEntry } from './build-view.js';
import { LogEntrySchema, parseStored } from './build-view.js';
import type { RedisKeys } from './redis-keys.js';

/** One stream item: a log line, or the end of the build's log (its final status). */
export type StreamItem =
  | { readonly kind: 'log'; readonly entry: LogEntry }
  | { readonly kind: 'end'; readonly status: string; readonly seq: number };

/** Parses one XRANGE/XREAD entry. */
export function streamItem(id: string, fields: readonly string[]): StreamItem {
  if (fields[0] === 'end') return { kind: 'end', status: fields[1] ?? '', seq: Number(id.split('-')[0]) };
  return { kind: 'log', entry: parseStored(LogEntrySchema, fields[1], 'log line') };
}

interface Sub {
  readonly onItems: (items: readonly StreamItem[]) => void;
}

/** The per-process multiplexer of live log streams. */
export class LogFollower {
  private readonly subs = new Map<string, Set<Sub>>();
  /** Last stream id delivered per followed build. */
  private readonly cursors = new Map<string, string>();
  private blockedId: number | null = null;
  /** Bumped on every change of the followed set; the loop records the one it read with. */
  private gen = 0;
  private seenGen = 0;
  private running = false;
  private closed = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly main: RedisClient,
    private readonly blocking: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clusterBlockMs = 2000,
  ) {}

  /** Delivers entries of build `id` after seq `after` until unsubscribed; returns the unsubscribe. */
  follow(id: string, after: number, onItems: (items: readonly StreamItem[]) => void): () => void {
    const sub: Sub = { onItems };
    let set = this.subs.get(id);
    if (!set) {
      set = new Set();
      this.subs.set(id, set);
    }
    set.add(sub);
    const cur = this.cursors.get(id);
    const mine = `${after}-1`;
    // A later subscriber starts where the stream is; an earlier cursor is kept (it only moves forward).
    if (!cur || compareIds(mine, cur) < 0) this.cursors.set(id, mine);
    this.gen++;
    this.kick();
    return () => {
      set.delete(sub);
      if (set.size === 0) {
        this.subs.delete(id);
        this.cursors.delete(id);
      }
    };
  }

  /** Stops the loop and wakes its read. */
  async close(): Promise<void> {
    this.closed = true;
    await this.unblock();
    await this.loop;
  }

  private kick(): void {
    if (!this.running) {
      this.running = true;
      this.loop = this.run().finally(() => {
        this.running = false;
      });
    } else void this.wake();
  }

  /** Unblocks the read until the loop has picked up the current set (the read may not be blocked yet). */
  private async wake(): Promise<void> {
    const want = this.gen;
    for (let i = 0; i < 100 && this.running && !this.closed && this.seenGen < want; i++) {
      await this.unblock();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async unblock(): Promise<void> {
    if (this.blockedId !== null && isSingle(this.main))
      await this.main.client('UNBLOCK', this.blockedId).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const single = isSingle(this.blocking);
    if (single && this.blockedId === null) this.blockedId = Number(await this.blocking.client('ID'));
    while (!this.closed && this.subs.size > 0) {
      this.seenGen = this.gen;
      const ids = [...this.subs.keys()];
      const streams = ids.map((id) => this.keys.log(id));
      const from = ids.map((id) => this.cursors.get(id) ?? '0-0');
      let res: [string, [string, string[]][]][] | null;
      try {
        res = await (this.blocking as Redis).xread(
          'COUNT',
          1000,
          'BLOCK',
          single ? 0 : this.clusterBlockMs,
          'STREAMS',
          ...streams,
          ...from,
        );
      } catch (err) {
        if (this.closed) return;
        if (String(err).includes('UNBLOCKED')) continue;
        throw err;
      }
      for (const [key, entries] of res ?? []) {
        const id = ids[streams.indexOf(key)];
        const set = id === undefined ? undefined : this.subs.get(id);
        if (!id || !set || entries.length === 0) continue;
        this.cursors.set(id, entries[entries.length - 1]?.[0] ?? '0-0');
        const items = entries.map(([eid, f]) => streamItem(eid, f));
        for (const s of set) s.onItems(items);
      }
    }
  }
}

function isSingle(r: RedisClient): r is Redis {
  return !('nodes' in r && typeof (r as { nodes?: unknown }).nodes === 'function');
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return (am ?? 0) - (bm ?? 0) || (as ?? 0) - (bs ?? 0);
}
