// The pre-parse bounds scan: what counts as nesting (and what must not: brackets in quotes,
// comments and block scalars), node and alias budgets, and linear time on hostile input.
import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS, scanJsonBounds, scanYamlBounds } from '../../../orchestrator/config/input-bounds.js';

const tight = { maxDepth: 4, maxNodes: 50, maxAliases: 2 };

describe('scanYamlBounds', () => {
  it('counts flow brackets, block indentation and leading "- " as depth', () => {
    expect(scanYamlBounds('a: [[[1]]]', tight)).toBeNull();
    expect(scanYamlBounds('a: [[[[1]]]]', tight)?.code).toBe('INPUT_TOO_DEEP');
    expect(scanYamlBounds('a:\n b:\n  c:\n   d: 1\n', tight)).toBeNull();
    expect(scanYamlBounds('a:\n b:\n  c:\n   d:\n    e: 1\n', tight)?.code).toBe('INPUT_TOO_DEEP');
    expect(scanYamlBounds('- - - - - x', tight)?.code).toBe('INPUT_TOO_DEEP');
  });

  it('ignores brackets in quoted scalars, comments and block scalars', () => {
    expect(
      scanYamlBounds(
        `a: "[[[[[[" # [[[[[[\nb: '{{{{{{'\nc: |\n  [[[[[[[[\n      deeply: indented\n        text\nd: 1\n`,
        tight,
      ),
    ).toBeNull();
  });

  it('reports the offset of the problem without quoting the input', () => {
    const p = scanYamlBounds(`ok: 1\nx: ${'['.repeat(10)}`, tight);
    expect(p).toEqual({
      code: 'INPUT_TOO_DEEP',
      message: 'nested more than 4 levels deep',
      offset: expect.any(Number) as number,
    });
    expect(p?.offset).toBeGreaterThan(5);
  });

  it('bounds values and anchors/aliases', () => {
    expect(scanYamlBounds(`a: [${'1,'.repeat(60)}1]`, tight)?.code).toBe('INPUT_TOO_MANY_NODES');
    expect(scanYamlBounds('a: &x 1\nb: *x\nc: *x\n', tight)?.code).toBe('INPUT_TOO_MANY_ALIASES');
    expect(scanYamlBounds('a: &x 1\nb: *x\n', tight)).toBeNull();
  });

  it('stays linear on megabytes of hostile input', () => {
    const start = performance.now();
    for (const text of ['['.repeat(1 << 20), '- '.repeat(1 << 19), `"${'\\"'.repeat(1 << 19)}`, '#'.repeat(1 << 20)])
      scanYamlBounds(text, INPUT_LIMITS);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('scanJsonBounds', () => {
  it('counts depth outside strings only, honouring escapes', () => {
    expect(scanJsonBounds('{"a":[[["[[[[[[\\"[[["]]]}', tight)).toBeNull();
    expect(scanJsonBounds('{"a":[[[[1]]]]}', tight)?.code).toBe('INPUT_TOO_DEEP');
    expect(scanJsonBounds(`[${'1,'.repeat(60)}1]`, tight)?.code).toBe('INPUT_TOO_MANY_NODES');
  });
});
