/** What `--wait` draws: elapsed times, progress bars, terminal frames and plain change lines. */
import { describe, expect, it } from 'vitest';
import type { BuildT } from '../../../orchestrator/client/api-client.js';
import {
  PlainProgress,
  TtyProgress,
  formatElapsed,
  headerLine,
  progressBar,
  stepLine,
} from '../../../orchestrator/cli/trt-build-progress.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const step = (
  id: string,
  status: BuildT['steps'][number]['status'],
  extra: Partial<BuildT['steps'][number]> = {},
): BuildT['steps'][number] => ({
  id,
  kind: 'convert',
  status,
  attempts: status === 'pending' ? 0 : 1,
  startedAt: null,
  finishedAt: null,
  progress: null,
  ...extra,
});
const build = (status: BuildT['status'], steps: BuildT['steps']): BuildT => ({
  id: '0123456789abcdef-1',
  status,
  planHash: 'sha256:x',
  gpuType: 'L4',
  createdAt: at(0),
  updatedAt: at(0),
  cancelRequested: false,
  attempts: 1,
  steps,
  artifacts: null,
  error: null,
  waitReason: null,
  links: { self: '', logs: '', cancel: '' },
});

describe('progress rendering', () => {
  it('formats elapsed time and bars', () => {
    expect(formatElapsed(4200)).toBe('4.2s');
    expect(formatElapsed(63_000)).toBe('1m03s');
    expect(formatElapsed(7_500_000)).toBe('2h05m');
    expect(progressBar(0.45, 10)).toBe('[####------]  45%');
    expect(progressBar(2, 4)).toBe('[####] 100%');
  });

  it('draws a running step with its bar and elapsed time, a finished one with its duration', () => {
    expect(stepLine(step('engine_build', 'running', { startedAt: at(10), progress: 0.5 }), T0 + 70_000)).toBe(
      '  ▶ engine_build   running   [##########----------]  50%  1m00s',
    );
    expect(stepLine(step('fetch', 'succeeded', { startedAt: at(0), finishedAt: at(3) }), T0 + 99_000)).toBe(
      '  ✓ fetch          succeeded  3.0s',
    );
    expect(stepLine(step('convert', 'running', { startedAt: at(0), attempts: 2 }), T0 + 1000)).toBe(
      '  ▶ convert        running    1.0s (attempt 2)',
    );
    expect(headerLine(build('running', []), T0 + 5000)).toBe('build 0123456789abcdef-1 running (L4)  5.0s');
  });

  it('redraws the terminal block in place', () => {
    const tty = new TtyProgress();
    const b = build('running', [step('fetch', 'running', { startedAt: at(0) })]);
    const first = tty.frame(b, T0);
    expect(first.startsWith('\x1b[2Kbuild')).toBe(true);
    expect(tty.frame(b, T0).startsWith('\x1b[2F')).toBe(true);
  });

  it('prints plain lines only on changes (status, attempt, progress by 10 points)', () => {
    const p = new PlainProgress();
    expect(p.lines(build('queued', [step('fetch', 'pending')]), T0)).toEqual(['build 0123456789abcdef-1: queued']);
    expect(p.lines(build('queued', [step('fetch', 'pending')]), T0)).toEqual([]);
    expect(p.lines(build('running', [step('fetch', 'running', { startedAt: at(0), progress: 0.12 })]), T0)).toEqual([
      'build 0123456789abcdef-1: running',
      '  fetch: running 10%',
    ]);
    expect(p.lines(build('running', [step('fetch', 'running', { startedAt: at(0), progress: 0.19 })]), T0)).toEqual([]);
    expect(p.lines(build('running', [step('fetch', 'running', { startedAt: at(0), progress: 0.2 })]), T0)).toEqual([
      '  fetch: running 20%',
    ]);
    expect(
      p.lines(build('succeeded', [step('fetch', 'succeeded', { startedAt: at(0), finishedAt: at(2) })]), T0),
    ).toEqual(['build 0123456789abcdef-1: succeeded', '  fetch: succeeded in 2.0s']);
  });
});
