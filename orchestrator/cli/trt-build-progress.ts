/**
 * What `trt-build --wait` shows while a build runs: on a terminal, one live line per step
 * (status, a progress bar where the step reports progress, elapsed time) redrawn in place; when
 * not a terminal, one plain line per change. Pure: the caller passes the clock and writes the text.
 */
import type { BuildT } from '../client/api-client.js';

type StepT = BuildT['steps'][number];

/** `4.2s`, `1m03s`, `2h05m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `[#########-----------]  45%` for 0..1. */
export function progressBar(p: number, width = 20): string {
  const f = Math.min(1, Math.max(0, p));
  const filled = Math.floor(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

const MARK: Record<StepT['status'], string> = {
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  cancelled: '⊘',
  skipped: '↷',
};

function stepElapsed(step: StepT, nowMs: number): number | null {
  if (step.startedAt === null) return null;
  const end = step.finishedAt === null ? nowMs : Date.parse(step.finishedAt);
  return end - Date.parse(step.startedAt);
}

/** One step as a terminal line: mark, id, status, bar (running with progress), elapsed. */
export function stepLine(step: StepT, nowMs: number): string {
  const el = stepElapsed(step, nowMs);
  const bar = step.status === 'running' && step.progress !== null ? ` ${progressBar(step.progress)}` : '';
  const attempts = step.attempts > 1 ? ` (attempt ${step.attempts})` : '';
  return `  ${MARK[step.status]} ${step.id.padEnd(14)} ${step.status.padEnd(9)}${bar}${el === null ? '' : `  ${formatElapsed(el)}`}${attempts}`;
}

/** The first line: build id, status, GPU type, elapsed since creation. */
export function headerLine(build: BuildT, nowMs: number): string {
  const end = build.status === 'queued' || build.status === 'running' ? nowMs : Date.parse(build.updatedAt);
  const cancel = build.cancelRequested && build.status === 'running' ? ', cancel requested' : '';
  return `build ${build.id} ${build.status} (${build.gpuType}${cancel})  ${formatElapsed(end - Date.parse(build.createdAt))}`;
}

/** Redraws a block of lines in place (ANSI: cursor up, clear line). */
export class TtyProgress {
  private drawn = 0;

  /** The text that replaces the previous frame with this one. */
  frame(build: BuildT, nowMs: number): string {
    const lines = [headerLine(build, nowMs), ...build.steps.map((s) => stepLine(s, nowMs))];
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.drawn = lines.length;
    return `${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`;
  }
}

/** Prints a line only when something changed: build status, a step's status, or a step's progress by 10 points. */
export class PlainProgress {
  private buildStatus = '';
  private readonly seen = new Map<string, string>();

  /** The new lines for this view (possibly none). */
  lines(build: BuildT, nowMs: number): string[] {
    const out: string[] = [];
    if (build.status !== this.buildStatus) {
      this.buildStatus = build.status;
      out.push(`build ${build.id}: ${build.status}`);
    }
    for (const s of build.steps) {
      const bucket = s.status === 'running' && s.progress !== null ? Math.floor(s.progress * 10) : -1;
      const key = `${s.status}:${bucket}:${s.attempts}`;
      if (this.seen.get(s.id) === key) continue;
      const first = !this.seen.has(s.id);
      this.seen.set(s.id, key);
      if (first && s.status === 'pending') continue;
      const el = stepElapsed(s, nowMs);
      const detail =
        bucket >= 0 ? ` ${bucket * 10}%` : s.finishedAt !== null && el !== null ? ` in ${formatElapsed(el)}` : '';
      const attempt = s.attempts > 1 ? ` (attempt ${s.attempts})` : '';
      out.push(`  ${s.id}: ${s.status}${detail}${attempt}`);
    }
    return out;
  }
}
