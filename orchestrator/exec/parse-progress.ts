/**
 * Progress from tool output, where the tools print it: tqdm bars ("Loading checkpoint shards:
 * 50%|…| 2/4"), per-rank build phases ("Build phase: rank 1/4"), and the closing "Total time of
 * …" / "Quantized model exported" lines. Pure, one line at a time; lines without progress → null.
 */

export interface Progress {
  /** 0…1 within the step. */
  readonly fraction: number;
  /** What is progressing, e.g. "Loading checkpoint shards" or "rank 2/4". */
  readonly label: string;
}

const TQDM = /([^:|[\]]{1,80}):\s*(\d{1,3})%\|/;
const RANK = /\brank (\d{1,4})\s*\/\s*(\d{1,4})\b/i;
const DONE = /Total time of (building all engines|converting checkpoints)|Quantized model exported to|Total time used/;

/** The progress a line reports, or null. */
export function parseProgress(line: string): Progress | null {
  const text = line.length > 2_000 ? line.slice(0, 2_000) : line;
  const done = DONE.exec(text);
  if (done) return { fraction: 1, label: done[1] ?? 'done' };
  const bar = TQDM.exec(text);
  if (bar) {
    const pct = Number.parseInt(bar[2] ?? '0', 10);
    if (pct <= 100) return { fraction: pct / 100, label: (bar[1] ?? '').trim() };
  }
  const rank = /Build phase|Saving|Converting|Loading/i.test(text) ? RANK.exec(text) : null;
  if (rank) {
    const r = Number.parseInt(rank[1] ?? '0', 10);
    const n = Number.parseInt(rank[2] ?? '0', 10);
    if (n > 0 && r < n) return { fraction: r / n, label: `rank ${r}/${n}` };
  }
  return null;
}
