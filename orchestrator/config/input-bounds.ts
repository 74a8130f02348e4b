/**
 * Bounds on untrusted config text, checked BEFORE any parser runs: nesting depth, node count and
 * alias/anchor count, for YAML and JSON alike. Each scan is one iterative pass over the characters
 * (no recursion, no regular expression over nested input), so hostile input cannot overflow the
 * stack, allocate per level, or take more than linear time. The scans over-estimate (a bracket in
 * a plain scalar counts), which only matters for input far past what any real config looks like.
 * Messages name a number and an offset, never quote the input. Pure: no I/O.
 */

/** Limits applied to config text (YAML, or the JSON of an API body). */
export interface InputLimits {
  /** Deepest nesting of collections (flow brackets plus block indentation levels). */
  readonly maxDepth: number;
  /** Most nodes (collection openers, separators, entries, lines with content). */
  readonly maxNodes: number;
  /** Most anchors plus aliases (YAML only). */
  readonly maxAliases: number;
}

/** Real configs nest ~8 deep and have a few hundred nodes; these leave a wide margin. */
export const INPUT_LIMITS: InputLimits = { maxDepth: 64, maxNodes: 200_000, maxAliases: 100 };

export type BoundsCode = 'INPUT_TOO_DEEP' | 'INPUT_TOO_MANY_NODES' | 'INPUT_TOO_MANY_ALIASES';

/** Why the text was refused: a code, a short message without input text, and a character offset. */
export interface BoundsProblem {
  readonly code: BoundsCode;
  readonly message: string;
  readonly offset: number;
}

const SP = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function tooDeep(limits: InputLimits, offset: number): BoundsProblem {
  return { code: 'INPUT_TOO_DEEP', message: `nested more than ${limits.maxDepth} levels deep`, offset };
}
function tooMany(limits: InputLimits, offset: number): BoundsProblem {
  return { code: 'INPUT_TOO_MANY_NODES', message: `more than ${limits.maxNodes} values`, offset };
}

/** Scans JSON text; null when within `limits` (syntax is left to JSON.parse). */
export function scanJsonBounds(text: string, limits: InputLimits = INPUT_LIMITS): BoundsProblem | null {
  let depth = 0;
  let nodes = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      if (++nodes > limits.maxNodes) return tooMany(limits, i);
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.maxDepth) return tooDeep(limits, i);
      if (++nodes > limits.maxNodes) return tooMany(limits, i);
    } else if (c === 0x5d || c === 0x7d) {
      depth = Math.max(0, depth - 1);
    } else if (c === 0x2c) {
      if (++nodes > limits.maxNodes) return tooMany(limits, i);
    }
  }
  return null;
}

/**
 * Scans YAML text; null when within `limits`. Depth is the flow-bracket depth plus the number of
 * open block indentation levels plus the `- ` / `? ` indicators that open a line; block scalars
 * (`|`, `>`) and quoted scalars are skipped; comments are ignored.
 */
export function scanYamlBounds(text: string, limits: InputLimits = INPUT_LIMITS): BoundsProblem | null {
  const n = text.length;
  // Open block indentation widths, kept as a plain array used as a stack (its size ≤ maxDepth).
  const indents: number[] = [];
  let flow = 0;
  let nodes = 0;
  let aliases = 0;
  let quote = 0; // 0, or the open quote character (' or ")
  let blockScalarIndent = -1; // while ≥ 0, lines indented more than this are block-scalar text
  let i = 0;
  while (i < n) {
    // Start of a line: measure indentation.
    const lineStart = i;
    let col = 0;
    while (i < n && (text.charCodeAt(i) === SP || text.charCodeAt(i) === TAB)) {
      i++;
      col++;
    }
    const first = i < n ? text.charCodeAt(i) : LF;
    const blank = first === LF || first === CR || first === 0x23; // empty or comment-only line
    if (blockScalarIndent >= 0) {
      if (blank || col > blockScalarIndent) {
        i = skipLine(text, i);
        continue;
      }
      blockScalarIndent = -1;
    }
    if (!blank && quote === 0 && flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) > col) indents.pop();
      if (indents.length === 0 || (indents[indents.length - 1] ?? 0) < col) indents.push(col);
      if (++nodes > limits.maxNodes) return tooMany(limits, lineStart);
    }
    // Leading `- ` / `? ` indicators each open a nested collection.
    let lead = 0;
    while (
      quote === 0 &&
      i + 1 < n &&
      (text.charCodeAt(i) === 0x2d || text.charCodeAt(i) === 0x3f) &&
      isBlankAt(text, i + 1)
    ) {
      lead++;
      i += 2;
      while (i < n && text.charCodeAt(i) === SP) i++;
      if (++nodes > limits.maxNodes) return tooMany(limits, i);
    }
    if (indents.length + lead + flow > limits.maxDepth) return tooDeep(limits, i);
    // The rest of the line.
    let prev = SP;
    let lastContent = -1;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) break;
      if (quote !== 0) {
        if (quote === 0x22 && c === 0x5c) i++;
        else if (c === quote) {
          if (quote === 0x27 && i + 1 < n && text.charCodeAt(i + 1) === 0x27)
            i++; // '' escape
          else quote = 0;
        }
        prev = c;
        lastContent = i;
        continue;
      }
      if (c === 0x23 && (prev === SP || prev === TAB)) {
        const nl = text.indexOf('\n', i);
        i = (nl === -1 ? n : nl) - 1; // the for-loop's i++ lands on the newline
        continue;
      }
      if (
        (c === 0x22 || c === 0x27) &&
        (prev === SP || prev === TAB || prev === 0x5b || prev === 0x7b || prev === 0x2c || prev === 0x3a)
      ) {
        quote = c;
        if (++nodes > limits.maxNodes) return tooMany(limits, i);
      } else if (c === 0x5b || c === 0x7b) {
        if (++flow + indents.length + lead > limits.maxDepth) return tooDeep(limits, i);
        if (++nodes > limits.maxNodes) return tooMany(limits, i);
      } else if (c === 0x5d || c === 0x7d) {
        flow = Math.max(0, flow - 1);
      } else if (flow > 0 && (c === 0x2c || (c === 0x3a && isBlankAt(text, i + 1)))) {
        if (++nodes > limits.maxNodes) return tooMany(limits, i);
      } else if (
        (c === 0x26 || c === 0x2a) &&
        (prev === SP || prev === TAB || prev === 0x5b || prev === 0x2c || prev === 0x3a)
      ) {
        if (++aliases > limits.maxAliases) {
          return {
            code: 'INPUT_TOO_MANY_ALIASES',
            message: `more than ${limits.maxAliases} anchors and aliases`,
            offset: i,
          };
        }
      }
      if (c !== SP && c !== TAB && c !== CR) lastContent = i;
      prev = c;
    }
    // A block scalar header (`key: |`, `- >-`, `|2+`) ends the line: its text follows, indented.
    if (quote === 0 && flow === 0 && lastContent >= 0 && isBlockScalarHeader(text, lineStart, lastContent))
      blockScalarIndent = col;
    i++; // past the newline
  }
  return null;
}

function isBlankAt(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === SP || c === TAB || c === LF || c === CR;
}

function skipLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl + 1;
}

// True when the line's content ends in `|` or `>` plus optional indicators (`-`, `+`, a digit),
// preceded by a blank or the start of the content.
function isBlockScalarHeader(text: string, lineStart: number, last: number): boolean {
  let j = last;
  let k = 0;
  while (j >= lineStart && k < 3) {
    const c = text.charCodeAt(j);
    if (c === 0x2d || c === 0x2b || (c >= 0x30 && c <= 0x39)) {
      j--;
      k++;
    } else break;
  }
  if (j < lineStart) return false;
  const c = text.charCodeAt(j);
  if (c !== 0x7c && c !== 0x3e) return false;
  return j === lineStart || isBlankAt(text, j - 1);
}
