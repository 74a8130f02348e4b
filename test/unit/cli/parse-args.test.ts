// trt-plan argument parsing.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../orchestrator/cli/parse-args.js';

describe('parseArgs', () => {
  it.each([
    [['c.yaml'], { kind: 'plan', file: 'c.yaml', json: false, outDir: null }],
    [['--json', '-'], { kind: 'plan', file: '-', json: true, outDir: null }],
    [['--out', 'o', 'c.yaml'], { kind: 'plan', file: 'c.yaml', json: false, outDir: 'o' }],
    [['--out=o', '--json', 'c.yaml'], { kind: 'plan', file: 'c.yaml', json: true, outDir: 'o' }],
    [['--', '--weird.yaml'], { kind: 'plan', file: '--weird.yaml', json: false, outDir: null }],
    [['schema'], { kind: 'schema' }],
    [['--help'], { kind: 'help' }],
    [['c.yaml', '-h'], { kind: 'help' }],
  ])('%j', (argv, want) => {
    expect(parseArgs(argv)).toEqual(want);
  });

  it.each([[[]], [['--bogus', 'c.yaml']], [['a.yaml', 'b.yaml']], [['--out']], [['--out=', 'c.yaml']]])(
    '%j is a usage error',
    (argv) => {
      expect(parseArgs(argv).kind).toBe('usage-error');
    },
  );
});
