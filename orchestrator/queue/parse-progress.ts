/**
 * Progress from tool output lines (pure): `42%`, `[3/10]`, `Progress: 3/10`, tqdm bars.
 * Returns a fraction in 0..1, or null when the line carries no progress.
 */

const PERCENT = /(?:^|[^\d.])(\d{1,3}(?:\.\d+)?)\s?%/;
const FRACTION = /(?:\[|progress:?\s*|step\s+)(\d+)\s*\/\s*(\d+)\]?/i;

/** Parses one output line into a progress fraction, or null. */
export function parseProgress(line: string): number | null {
  const p = PERCENT.exec(line);
  if (p?.[1] !== undefined) {
    const v = Number(p[1]);
    return v <= 100 ? v / 100 : null;
  }
  const f = FRACTION.exec(line);
  if (f?.[1] !== undefined && f[2] !== undefined) {
    const done = Number(f[1]);
    const total = Number(f[2]);
    return total > 0 && done <= total ? done / total : null;
  }
  return null;
}
