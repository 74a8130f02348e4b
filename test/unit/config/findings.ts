// Exact-findings helpers for the rule tables: every diagnostic of a config as
// (code, severity, path, line, column), the position found independently of the validator (a
// marker at the path in the same JSON text), and a message fragment per finding.
import { expect } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { ValidationResult } from '../../../orchestrator/config/index.js';
import { BASE_V1, merge } from './helpers.js';
import type { Json } from './helpers.js';

/**
 * An expected finding: code, severity, dotted path, a fragment its message must contain, and whether
 * it points at the key or the value (default: `AT_KEY` by code; a missing key points at its parent's key).
 */
export type Expected = readonly [
  code: string,
  severity: 'error' | 'warning',
  path: string,
  fragment?: string,
  at?: 'key' | 'value',
];

/** Codes whose findings point at the key (the mapping as a whole, or a key that should not be there). */
export const AT_KEY: ReadonlySet<string> = new Set([
  'LORA_REQUIRES_V1_DECODER',
  'LORA_ADAPTER_NAME_INVALID',
  'LORA_CONFIGURATION_WITHOUT_ADAPTERS',
  'V2_BUILD_FIELD_NOT_ALLOWED',
  'PATCH_KWARGS_ALIAS_CONFLICT',
  'PATCH_KWARGS_PREVIEW',
  'PATCH_KWARGS_SHADOWS_FIELD',
  'SPECULATOR_REQUIRES_DECODER',
  'SPECULATOR_REQUIRES_PAGED_KV_CACHE',
  'LOOKAHEAD_SIZES_REQUIRED',
  'NUM_DRAFT_TOKENS_REQUIRED',
  'CHECKPOINT_REPOSITORY_REQUIRED',
  'BASETEN_TRAINING_REVISION_REQUIRED',
]);

/** One table row: a config (base + patch) and the exact set of findings it must produce. */
export interface Row {
  readonly name: string;
  readonly doc: Json;
  readonly base?: Json;
  readonly expect: readonly Expected[];
}

const MARKER = '@@FINDINGS-MARKER@@';

function isObj(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * 1-based line and column of `dotted` in JSON.stringify(doc, null, 2): the key's opening quote or the
 * value's first character; a missing key → the key of its nearest written parent.
 */
export function positionOf(doc: Json, dotted: string, at: 'key' | 'value' = 'value'): { line: number; column: number } {
  const segments = dotted === '' ? [] : dotted.split('.');
  for (let n = segments.length; n > 0; n -= 1) {
    const copy = structuredClone(doc);
    let parent: Json = copy;
    let ok = true;
    for (let i = 0; i < n - 1 && ok; i += 1) {
      const seg = segments[i] as string;
      const next: Json | undefined = Array.isArray(parent)
        ? parent[Number(seg)]
        : isObj(parent)
          ? parent[seg]
          : undefined;
      if (next === undefined || next === null || typeof next !== 'object') ok = false;
      else parent = next;
    }
    const last = segments[n - 1] as string;
    if (!ok) continue;
    const inArray = Array.isArray(parent);
    if (Array.isArray(parent) && Number(last) < parent.length) parent[Number(last)] = MARKER;
    else if (isObj(parent) && last in parent) parent[last] = MARKER;
    else continue;
    const lines = JSON.stringify(copy, null, 2).split('\n');
    const index = lines.findIndex((l) => l.includes(MARKER));
    const text = lines[index] ?? '';
    const keyColumn = text.search(/\S/) + 1;
    const wantKey = n < segments.length || at === 'key';
    const column = inArray || wantKey ? keyColumn : text.indexOf(`"${MARKER}"`) + 1;
    return { line: index + 1, column };
  }
  return { line: 1, column: 1 };
}

/** 1-based line of `dotted` (see positionOf). */
export function lineOf(doc: Json, dotted: string): number {
  return positionOf(doc, dotted).line;
}

/** Validates base+patch exactly as the table rows are written (JSON is YAML). */
export function run(row: Pick<Row, 'doc' | 'base'>): { result: ValidationResult; doc: Json } {
  const doc = merge(row.base ?? BASE_V1, row.doc);
  return { result: validateConfigText(JSON.stringify(doc, null, 2)), doc };
}

/** Asserts the row's findings are exactly `row.expect` (code, severity, path, line, column, message fragment). */
export function expectExactly(row: Row): ValidationResult {
  const { result, doc } = run(row);
  const key = (d: { code: string; severity: string; path: string; line: number; column: number }): string =>
    `${d.line}:${d.column} ${d.code} ${d.severity} ${d.path}`;
  const actual = [...result.errors, ...result.warnings];
  const wanted = row.expect.map(([code, severity, path, , at]) => ({
    code,
    severity,
    path,
    ...positionOf(doc, path, at ?? (AT_KEY.has(code) ? 'key' : 'value')),
  }));
  expect(actual.map(key).sort()).toEqual(wanted.map(key).sort());
  for (const [code, , path, fragment] of row.expect) {
    const d = actual.find((a) => a.code === code && a.path === path);
    expect(d?.message.length ?? 0).toBeGreaterThan(0);
    if (fragment !== undefined) expect(d?.message).toContain(fragment);
  }
  expect(result.valid).toBe(!row.expect.some(([, severity]) => severity === 'error'));
  expect(result.config === null).toBe(!result.valid);
  return result;
}
