/** Shared helpers of the exec integration tests: temp dirs, steps, contexts, line capture. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepRunContext } from '../../../orchestrator/exec/types.js';
import type { ContainerStep } from '../../../orchestrator/plan/types.js';
import { startedContainers, type ContainerLife } from '../../fixtures/bin/lib/fake-docker/state.js';

export const FAKE_BIN = fileURLToPath(new URL('../../fixtures/bin', import.meta.url));
export const FAKE_NVIDIA_SMI_DIR = fileURLToPath(new URL('../../fixtures/bin/lib/nvidia-smi', import.meta.url));
export const IMAGE = 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0';
export const QUANTIZE_PY = '/app/tensorrt_llm/examples/quantization/quantize.py';

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fake-docker state dir whose cleanup first SIGKILLs every container the fake started in it
 * (nothing should be left, but a failing test must not leak a hanging process).
 */
export function fakeDockerState(): { dir: string; cleanup: () => void } {
  const t = tempDir('fake-docker-state-');
  return {
    dir: t.dir,
    cleanup: () => {
      for (const c of startedContainers(t.dir)) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      t.cleanup();
    },
  };
}

/** A container step with sane defaults. */
export function containerStep(over: Partial<ContainerStep> = {}): ContainerStep {
  return {
    id: 'engine_build',
    kind: 'engine_build',
    description: 'build the engine',
    gpus: 1,
    secretEnv: [],
    inputs: [],
    outputs: [],
    timeoutSeconds: 60,
    image: IMAGE,
    argv: ['trtllm-build', '--checkpoint_dir', '/workspace/trtllm_checkpoint', '--output_dir', '/workspace/engine'],
    ...over,
  };
}

export interface LineLog {
  readonly lines: { line: string; stream: 'stdout' | 'stderr' }[];
  /** Resolves when a line matching `re` arrives (or has arrived); rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
}

/** Captures `onLine` calls and lets a test wait for one (event-driven, with a deadline). */
export function lineLog(): LineLog & { onLine: StepRunContext['onLine'] } {
  const lines: { line: string; stream: 'stdout' | 'stderr' }[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  return {
    lines,
    onLine(line, stream) {
      lines.push({ line, stream });
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    },
    waitFor(re, ms = 60_000) {
      const seen = lines.find((l) => re.test(l.line));
      if (seen) return Promise.resolve(seen.line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no line matching ${re} within ${ms} ms; got:\n${lines.map((l) => l.line).join('\n')}`)),
          ms,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

/** A run context for `workspaceDir`, with a fresh abort controller. */
export function runContext(
  workspaceDir: string,
  over: Partial<StepRunContext> = {},
): { ctx: StepRunContext; abort: AbortController; log: ReturnType<typeof lineLog> } {
  const abort = new AbortController();
  const log = lineLog();
  const ctx: StepRunContext = {
    workspaceDir,
    workspaceMount: '/workspace',
    gpuIds: ['0'],
    secrets: {},
    runName: `trt-test-${path.basename(workspaceDir)}`.replace(/[^a-zA-Z0-9_.-]/g, '-'),
    signal: abort.signal,
    onLine: log.onLine,
    ...over,
  };
  return { ctx, abort, log };
}

/** Polls `cond` every 25 ms until it holds; rejects with `what` after `ms` (no fixed sleeps). */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 25));
  }
}

/** Intervals of containers carrying the same build+step labels that overlap in time (should be none). */
export function overlaps(lives: readonly ContainerLife[]): string[] {
  const out: string[] = [];
  for (const [i, a] of lives.entries()) {
    for (const b of lives.slice(i + 1)) {
      const same =
        a.labels['trt-orchestrator.build'] !== undefined &&
        a.labels['trt-orchestrator.build'] === b.labels['trt-orchestrator.build'] &&
        a.labels['trt-orchestrator.step'] === b.labels['trt-orchestrator.step'];
      const aEnd = a.endedAt ?? Number.POSITIVE_INFINITY;
      const bEnd = b.endedAt ?? Number.POSITIVE_INFINITY;
      if (same && a.startedAt < bEnd && b.startedAt < aEnd)
        out.push(`${a.name} [${a.startedAt}, ${a.endedAt}] overlaps ${b.name} [${b.startedAt}, ${b.endedAt}]`);
    }
  }
  return out;
}
