/**
 * YAML text → plain JS value plus a source map (path → line/column), with the limits that keep
 * hostile input harmless: a size cap checked before parsing, unique keys, and an alias budget.
 * Pure: no I/O.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { scanYamlBounds } from './input-bounds.js';
import type { BoundsCode } from './input-bounds.js';

/** Largest accepted config, in bytes (UTF-8). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most alias dereferences allowed while building the value (defeats "billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

export type PathSegment = string | number;
/** 1-based line and column; the column counts characters (code points), as editors do, not UTF-16 units. */
export interface Position {
  readonly line: number;
  readonly column: number;
}
export interface SourceProblem {
  readonly code: string;
  readonly message: string;
  readonly position: Position;
}

/** A parsed config with positions. `value` is undefined when parsing failed. */
export interface ParsedSource {
  readonly problems: readonly SourceProblem[];
  readonly value: unknown;
  /** Dotted paths of integer-valued scalars written as floats (`2.0`, `1e3`). */
  readonly floatLiteralPaths: ReadonlySet<string>;
  /** Position of the key (`at: 'key'`) or value at `path`; the nearest existing ancestor's key otherwise. */
  positionOf(path: readonly PathSegment[], at?: 'key' | 'value'): Position;
}

const START: Position = { line: 1, column: 1 };
const INT_LITERAL = /^[-+]?(?:[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$/;

const YAML_CODE_MAP: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  ALIAS_PROPS: 'YAML_SYNTAX_ERROR',
};

/** Parses `text`; never throws. */
export function parseSource(text: string): ParsedSource {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    return failed([
      {
        code: 'CONFIG_TOO_LARGE',
        message: `config is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES} bytes (1 MiB)`,
        position: START,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  // Bounded before parsing: the parser and composer recurse per nesting level.
  const bounds = scanYamlBounds(text);
  if (bounds !== null) {
    return failed([
      {
        code: BOUNDS_CODES[bounds.code],
        message: `the document is ${bounds.message}`,
        position: positionAt(text, bounds.offset, codePointColumns(text)),
      },
    ]);
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter,
      uniqueKeys: false,
      prettyErrors: false,
      strict: true,
      logLevel: 'silent',
    });
  } catch (err) {
    return failed([{ code: 'YAML_SYNTAX_ERROR', message: errorText(err), position: START }]);
  }
  const columns = codePointColumns(text);
  const toPos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: columns(offset - p.col + 1, offset) };
  };
  const problems: SourceProblem[] = [];
  for (const e of doc.errors) {
    const deep = /call stack/i.test(e.message);
    problems.push({
      code: deep ? 'YAML_TOO_DEEP' : (YAML_CODE_MAP[e.code] ?? 'YAML_SYNTAX_ERROR'),
      message: deep ? 'the document is nested too deeply' : yamlMessage(e.code, e.message),
      position: toPos(e.pos[0]),
    });
  }
  if (problems.length > 0) return failed(problems);

  // Keys are checked here, in one linear pass (yaml's own uniqueKeys check is quadratic).
  const keyProblems: SourceProblem[] = [];
  const floatLiteralPaths = new Set<string>();
  scanAst(doc.contents, [], floatLiteralPaths, (kind, offset) => keyProblems.push(keyProblem(kind, toPos(offset))), 0);
  if (keyProblems.length > 0) return failed(keyProblems);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const alias = err instanceof ReferenceError || /alias/i.test(errorText(err));
    return failed([
      {
        code: alias ? 'YAML_ALIAS_LIMIT' : 'YAML_SYNTAX_ERROR',
        message: alias
          ? `too many alias expansions (limit ${MAX_ALIAS_COUNT}); the document looks like an alias bomb`
          : errorText(err),
        position: START,
      },
    ]);
  }
  return {
    problems: [],
    value,
    floatLiteralPaths,
    positionOf(path, at = 'value') {
      return locate(doc, path, at, toPos);
    },
  };
}

const BOUNDS_CODES: Readonly<Record<BoundsCode, string>> = {
  INPUT_TOO_DEEP: 'YAML_TOO_DEEP',
  INPUT_TOO_MANY_NODES: 'YAML_TOO_MANY_NODES',
  INPUT_TOO_MANY_ALIASES: 'YAML_ALIAS_LIMIT',
};

// Line and column of a UTF-16 offset, counted without building a line table.
function positionAt(text: string, offset: number, columns: ColumnOf): Position {
  let line = 1;
  let lastNl = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lastNl = i;
  }
  return { line, column: columns(lastNl + 1, offset) };
}

/** The 1-based column, in code points, of UTF-16 `offset` on the line that starts at `lineStart`. */
type ColumnOf = (lineStart: number, offset: number) => number;

/**
 * Columns in characters (code points): JS strings and the YAML parser count UTF-16 units, so each
 * astral character (emoji, 2 units) before a position would add one column. The second units of
 * surrogate pairs are found once (lazily, one regex pass) and counted by binary search, so many
 * positions on one long line stay cheap.
 */
function codePointColumns(text: string): ColumnOf {
  let lows: number[] | null = null;
  const below = (x: number): number => {
    const a = lows as number[];
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((a[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (lineStart, offset) => {
    lows ??= Array.from(text.matchAll(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g), (m) => m.index + 1);
    const units = offset - lineStart;
    return lows.length === 0 ? units + 1 : units - (below(offset) - below(lineStart)) + 1;
  };
}

function keyProblem(kind: 'complex' | 'duplicate', position: Position): SourceProblem {
  return kind === 'complex'
    ? { code: 'YAML_COMPLEX_KEY', message: 'mapping keys must be plain scalars, not lists or mappings', position }
    : { code: 'YAML_DUPLICATE_KEY', message: 'duplicate key: each key may appear only once in a mapping', position };
}

function failed(problems: SourceProblem[]): ParsedSource {
  return { problems, value: undefined, floatLiteralPaths: new Set(), positionOf: () => START };
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]?.slice(0, 200) ?? 'invalid YAML';
}

// yaml messages never quote document text except for a few codes; keep the first line only.
function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear only once in a mapping';
  return `invalid YAML: ${message.split('\n')[0]?.slice(0, 200) ?? code}`;
}

function deref(doc: Document.Parsed, node: unknown): unknown {
  if (isAlias(node)) return node.resolve(doc);
  return node;
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return undefined;
}

// Walks the AST (not following aliases, so it is linear in the text): records float literals and
// reports non-scalar and duplicate keys.
function scanAst(
  node: unknown,
  path: PathSegment[],
  out: Set<string>,
  keyIssue: (kind: 'complex' | 'duplicate', offset: number) => void,
  depth: number,
): void {
  if (depth > 200) return;
  if (isScalar(node)) {
    if (
      typeof node.value === 'number' &&
      Number.isInteger(node.value) &&
      node.source !== undefined &&
      !INT_LITERAL.test(node.source)
    ) {
      out.add(path.join('.'));
    }
  } else if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const k = keyText(pair);
      if (k === undefined) {
        if (pair.key !== null && pair.key !== undefined) keyIssue('complex', nodeStart(pair.key) ?? 0);
        continue;
      }
      if (seen.has(k)) keyIssue('duplicate', nodeStart(pair.key) ?? 0);
      seen.add(k);
      scanAst(pair.value, [...path, k], out, keyIssue, depth + 1);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => scanAst(item, [...path, i], out, keyIssue, depth + 1));
  }
}

function nodeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function locate(
  doc: Document.Parsed,
  path: readonly PathSegment[],
  at: 'key' | 'value',
  toPos: (o: number) => Position,
): Position {
  let node: unknown = deref(doc, doc.contents);
  let best: number | undefined = nodeStart(node);
  for (let i = 0; i < path.length; i += 1) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p) === String(seg));
      if (!pair) return toPos(best ?? 0);
      const keyStart = nodeStart(pair.key);
      const valueStart = nodeStart(pair.value);
      if (last) return toPos((at === 'key' ? keyStart : (valueStart ?? keyStart)) ?? best ?? 0);
      best = keyStart ?? best;
      node = deref(doc, pair.value);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) return toPos(best ?? 0);
      best = nodeStart(item) ?? best;
      if (last) return toPos(best ?? 0);
      node = deref(doc, item);
    } else {
      return toPos(best ?? 0);
    }
  }
  return toPos(best ?? 0);
}
