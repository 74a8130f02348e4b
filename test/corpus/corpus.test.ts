// All 443 real configs: none crashes, each verdict and error-code set matches the reviewed
// expectations, and the files Truss itself rejects match its own triage (corpus-stats.md §3).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFiles, EXPECTATIONS_FILE, TRUSS_ENFORCED, verdictOf } from './corpus-verdicts.js';
import type { Expectation } from './corpus-verdicts.js';

const expectations = JSON.parse(readFileSync(EXPECTATIONS_FILE, 'utf8')) as Record<string, Expectation>;
const files = corpusFiles();

describe('corpus', () => {
  it('has an expectation for every file and no stale ones', () => {
    expect(files.length).toBe(443);
    expect(Object.keys(expectations).sort()).toEqual(files);
  });

  it('matches the expected verdict and error codes for every file', () => {
    const mismatches: string[] = [];
    for (const f of files) {
      const got = verdictOf(f);
      const want = expectations[f];
      if (!want || got.verdict !== want.verdict || got.errors.join(',') !== want.errors.join(',')) {
        mismatches.push(
          `${f}: got ${got.verdict} [${got.errors.join(', ')}], want ${want?.verdict ?? '?'} [${want?.errors.join(', ') ?? ''}]`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives every invalid file a reason, and marks exactly the 51 files Truss rejects', () => {
    const entries = Object.entries(expectations);
    for (const [f, e] of entries) {
      if (e.verdict === 'invalid') expect(e.reason, f).toMatch(/\w{4}/);
      if (e.verdict === 'valid') expect(e.reason, f).toBeUndefined();
      // update-expectations.ts marks entries whose codes changed; a person must recheck them.
      expect(e.needsReview, `${f}: reason not rechecked by hand since its codes changed`).toBeUndefined();
      expect(e.previousReason, f).toBeUndefined();
      expect(e.trussRejects, f).toBe(e.errors.some((c) => TRUSS_ENFORCED.has(c)));
    }
    expect(entries.filter(([, e]) => e.trussRejects)).toHaveLength(51);
    // Spot checks against corpus-stats.md §3a.
    expect(expectations['basetenlabs__truss-examples__internal__config.yaml']?.trussRejects).toBe(true);
    expect(expectations['basetenlabs__truss-examples__qwen__engine-qwen-3-235B-A22b__config.yaml']?.errors).toContain(
      'WORLD_SIZE_MISMATCH',
    );
    expect(expectations['basetenlabs__truss-examples__briton-test__mistral-h100-fp8__config.yaml']?.errors).toContain(
      'FP8_REQUIRES_SM89',
    );
  });
});
