/**
 * Batches a running build's output lines into the capped Redis log stream and the pino log, and
 * turns progress lines into step progress (lines and progress go in one command per batch). Writes are chained so lines keep their order. Progress is
 * batched like lines (the latest value per step, written with the next flush), so a step's last
 * progress line costs no write of its own: the step's end records progress 1.
 */
import type { BuildStore } from './build-store.js';
import type { LogEntry } from './build-view.js';
import { parseProgress } from '../exec/parse-progress.js';
import type { Log } from './service-log.js';

const BATCH = 200;
const FLUSH_MS = 100;

/** Per-build line sink; call `close()` (awaits all writes) when the build job ends. */
export class LogSink {
  private buf: Omit<LogEntry, 'seq'>[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private lastProgress = new Map<string, number>();
  /** Progress parsed since the last flush, per step (the latest value). */
  private progress = new Map<string, number>();

  constructor(
    private readonly store: BuildStore,
    private readonly buildId: string,
    private readonly log: Log,
    private readonly now: () => number,
  ) {}

  /** Records one line of `step`. */
  line(step: string, stream: LogEntry['stream'], line: string): void {
    this.buf.push({ ts: this.now(), step, stream, line });
    this.log.debug({ buildId: this.buildId, step, stream }, line);
    const p = parseProgress(line)?.fraction ?? null;
    if (p !== null && Math.abs(p - (this.lastProgress.get(step) ?? -1)) >= 0.01) {
      this.lastProgress.set(step, p);
      this.progress.set(step, p);
    }
    if (this.buf.length >= BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Starts writing what is buffered. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buf;
    const progress = [...this.progress];
    this.buf = [];
    this.progress.clear();
    if (batch.length > 0 || progress.length > 0) {
      this.enqueue(async () => {
        await this.store.logBatch(this.buildId, batch, progress);
      });
    }
  }

  /**
   * At the successful end of a step: waits for pending writes and hands over the buffered lines
   * (the caller writes them, batched with its own writes, and records the step's progress as 1,
   * so progress not yet written is dropped).
   */
  async take(): Promise<Omit<LogEntry, 'seq'>[]> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.progress.clear();
    await this.chain;
    const lines = this.buf;
    this.buf = [];
    return lines;
  }

  /** Writes everything buffered and waits for all writes. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.log.warn({ buildId: this.buildId, err: String(err) }, 'log write failed');
    });
  }
}
