/**
 * Secret redaction and the bounded output tail. Pure: the process runner feeds every output line
 * through a redactor before anyone (log store, pino, classifier) sees it.
 */

export const REDACTED = '[REDACTED]';

/** Longest line passed on (longer lines are cut, so one runaway line cannot fill memory). */
export const MAX_LINE_CHARS = 8_192;

/**
 * Builds a function that replaces every occurrence of any secret value in a line with
 * `[REDACTED]`. Longer secrets are replaced first, so a secret containing another is fully hidden.
 * Empty values are ignored.
 */
export function makeRedactor(secretValues: Iterable<string>): (line: string) => string {
  const values = [...new Set([...secretValues].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const v of values) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
    }
    return out;
  };
}

/** Cuts a line to `MAX_LINE_CHARS`, marking the cut. */
export function capLine(line: string): string {
  return line.length <= MAX_LINE_CHARS
    ? line
    : `${line.slice(0, MAX_LINE_CHARS)} …[${line.length - MAX_LINE_CHARS} chars cut]`;
}

/** Keeps the last `maxLines` lines (and at most `maxChars` characters) of a process's output. */
export class TailBuffer {
  readonly #lines: string[] = [];
  #chars = 0;

  constructor(
    private readonly maxLines = 60,
    private readonly maxChars = 16_384,
  ) {}

  /** Adds one (already redacted) line. */
  push(line: string): void {
    this.#lines.push(line);
    this.#chars += line.length + 1;
    while (this.#lines.length > this.maxLines || (this.#chars > this.maxChars && this.#lines.length > 1)) {
      const dropped = this.#lines.shift();
      this.#chars -= (dropped?.length ?? 0) + 1;
    }
  }

  /** The kept lines joined by newlines. */
  text(): string {
    const joined = this.#lines.join('\n');
    return joined.length <= this.maxChars ? joined : joined.slice(joined.length - this.maxChars);
  }
}
