/**
 * The problem matcher shipped for CI (GitHub Actions `::add-matcher::`) reads every diagnostic line
 * trt-plan prints, with file, line, column (characters), severity, code and message, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../orchestrator/cli/render-diagnostics.js';
import { main } from '../../../orchestrator/cli/trt-plan.js';

interface Pattern {
  regexp: string;
  file: number;
  line: number;
  column: number;
  severity: number;
  code: number;
  message: number;
}
const matcher = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../orchestrator/cli/problem-matcher.json'), 'utf8'),
) as { problemMatcher: { owner: string; pattern: Pattern[] }[] };
const pattern = matcher.problemMatcher[0]?.pattern[0] as Pattern;
const re = new RegExp(pattern.regexp);
const match = (line: string): Record<string, string> | null => {
  const m = re.exec(line);
  return m
    ? {
        file: m[pattern.file] ?? '',
        line: m[pattern.line] ?? '',
        column: m[pattern.column] ?? '',
        severity: m[pattern.severity] ?? '',
        code: m[pattern.code] ?? '',
        message: m[pattern.message] ?? '',
      }
    : null;
};

describe('trt-plan problem matcher', () => {
  it('is one matcher owned by trt-plan', () => {
    expect(matcher.problemMatcher.map((m) => m.owner)).toEqual(['trt-plan']);
  });

  it('matches diagnostics with and without a path, and file names with colons', () => {
    const d = {
      code: 'CALIB_SIZE_NOT_MULTIPLE_OF_64',
      severity: 'error' as const,
      path: 'trt_llm.build.quantization_config.calib_size',
      message: 'must be a multiple of 64 (got 1000): try 1024',
      line: 12,
      column: 7,
    };
    expect(match(formatDiagnostic('deploy/c:1.yaml', d))).toEqual({
      file: 'deploy/c:1.yaml',
      line: '12',
      column: '7',
      severity: 'error',
      code: d.code,
      message: `${d.path}: ${d.message}`,
    });
    expect(
      match(formatDiagnostic('config.yaml', { ...d, path: '', severity: 'warning', code: 'YAML_SYNTAX' })),
    ).toEqual({
      file: 'config.yaml',
      line: '12',
      column: '7',
      severity: 'warning',
      code: 'YAML_SYNTAX',
      message: d.message,
    });
    expect(match('config.yaml: invalid (1 error, 0 warnings)')).toBeNull();
  });

  it('reads every diagnostic line of real trt-plan output (columns in characters on a multi-byte line)', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (b: Buffer) => (out += b.toString()));
    stdin.end(
      'trt_llm:\n  build: {"🚀": 1, max_batch_size: -1, checkpoint_repository: {source: HF, repo: a/b}}\nresources: {accelerator: H100}\n',
    );
    expect(await main(['-'], { stdin, stdout, stderr: new PassThrough() })).toBe(1);
    const lines = out.trim().split('\n');
    const matched = lines.map(match);
    expect(matched.slice(0, -1).every((m) => m !== null)).toBe(true);
    expect(matched.at(-1)).toBeNull();
    const bad = matched.find((m) => (m?.message ?? '').startsWith('trt_llm.build.max_batch_size'));
    const src = '  build: {"🚀": 1, max_batch_size: -1, checkpoint_repository: {source: HF, repo: a/b}}';
    expect(bad).toMatchObject({
      file: '<stdin>',
      line: '2',
      severity: 'error',
      column: String([...src.slice(0, src.indexOf('-1'))].length + 1),
    });
  });
});
