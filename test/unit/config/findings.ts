// Exact-findings helpers for the rule tables: every diagnostic of a config as
// (code, severity, path, line), the line found independently of the validator (a marker at the
// path in the same JSON text), and a message fragment per finding.
import { expect } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { ValidationResult } from '../../../orchestrator/config/index.js';
import { BASE_V1, merge } from './helpers.js';
import type { Json } from './helpers.js';

/** An expected finding: code, severity, dotted path, and a fragment its message must contain. */
export type Expected = readonly [code: string, severity: 'error' | 'warning', path: string, fragment?: string];

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

/** 1-based line of `dotted` in JSON.stringify(doc, null, 2); a missing key → its nearest written parent. */
export function lineOf(doc: Json, dotted: string): number {
  const segments = dotted === '' ? [] : dotted.split('.');
  for (let n = segments.length; n > 0; n -= 1) {
    const copy = structuredClone(doc);
    let at: Json = copy;
    let ok = true;
    for (let i = 0; i < n - 1 && ok; i += 1) {
      const seg = segments[i] as string;
      const next: Json | undefined = Array.isArray(at) ? at[Number(seg)] : isObj(at) ? at[seg] : undefined;
      if (next === undefined || next === null || typeof next !== 'object') ok = false;
      else at = next;
    }
    const last = segments[n - 1] as string;
    if (!ok) continue;
    if (Array.isArray(at) && Number(last) < at.length) at[Number(last)] = MARKER;
    else if (isObj(at) && last in at) at[last] = MARKER;
    else continue;
    const lines = JSON.stringify(copy, null, 2).split('\n');
    return lines.findIndex((l) => l.includes(MARKER)) + 1;
  }
  return 1;
}

/** Validates base+patch exactly as the table rows are written (JSON is YAML). */
export function run(row: Pick<Row, 'doc' | 'base'>): { result: ValidationResult; doc: Json } {
  const doc = merge(row.base ?? BASE_V1, row.doc);
  return { result: validateConfigText(JSON.stringify(doc, null, 2)), doc };
}

/** Asserts the row's findings are exactly `row.expect` (code, severity, path, line, message fragment). */
export function expectExactly(row: Row): ValidationResult {
  const { result, doc } = run(row);
  const key = (d: { code: string; severity: string; path: string; line: number }): string => `${d.line} ${d.code} ${d.severity} ${d.path}`;
  const actual = [...result.errors, ...result.warnings];
  const wanted = row.expect.map(([code, severity, path]) => ({ code, severity, path, line: lineOf(doc, path) }));
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
