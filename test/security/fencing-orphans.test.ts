/**
 * Issue 9, item 1: a worker SIGKILLed mid-step leaves its container running (docker does not stop
 * a container when its client dies). The fence finds it by its labels and stops it; a retry of the
 * step never runs beside it, and never shares (or inherits) its output directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerExecutor } from '../../orchestrator/exec/docker-executor.js';
import { createDockerFence } from '../../orchestrator/exec/docker-fence.js';
import type { AttemptLabels } from '../../orchestrator/exec/types.js';
import { containerLives, isAlive, runningContainers } from '../fixtures/bin/lib/fake-docker/state.js';
import {
  FAKE_BIN,
  containerStep,
  fakeDockerState,
  overlaps,
  runContext,
  tempDir,
  waitUntil,
} from '../integration/exec/helpers.js';

const CHILD = fileURLToPath(new URL('../integration/exec/run-step-child.ts', import.meta.url));
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

const step = containerStep({
  gpus: 1,
  inputs: ['/workspace/trtllm_checkpoint'],
  outputs: ['/workspace/engine'],
  timeoutSeconds: 600,
  argv: ['trtllm-build', '--checkpoint_dir', '/workspace/trtllm_checkpoint', '--output_dir', '/workspace/engine'],
});

/** A workspace with a 2-rank checkpoint, a fake-docker state dir and the docker CLI environment. */
function setup() {
  const ws = tempDir('fence-ws-');
  const state = fakeDockerState();
  cleanups.push(ws.cleanup, state.cleanup);
  mkdirSync(path.join(ws.dir, 'trtllm_checkpoint'));
  writeFileSync(
    path.join(ws.dir, 'trtllm_checkpoint', 'config.json'),
    JSON.stringify({ architecture: 'LlamaForCausalLM', mapping: { world_size: 2 } }),
  );
  const env = {
    ...process.env,
    PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
    FAKE_DOCKER_STATE: state.dir,
  } as Record<string, string>;
  return { ws: ws.dir, state: state.dir, env };
}

/**
 * Starts a worker-like process (own process group: it and its docker client die together, as a
 * worker's cgroup does) running the step; resolves once its container wrote its first output file
 * (into the attempt's own directory) and then hangs, as a long build does.
 */
async function startDoomedWorker(
  s: ReturnType<typeof setup>,
  labels: AttemptLabels,
  runName: string,
): Promise<ChildProcess> {
  const input = {
    step,
    workspaceDir: s.ws,
    runName,
    gpuIds: ['0'],
    labels,
    env: { ...s.env, FAKE_DOCKER_HANG_AFTER_FILES: '1' },
  };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], {
    detached: true,
    stdio: 'ignore',
    env: s.env,
  });
  cleanups.push(() => {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const firstFile = path.join(s.ws, '.attempts', step.id, runName, '0', 'rank0.engine');
  await waitUntil(() => existsSync(firstFile), `${runName} wrote its first engine rank`, 60_000);
  return child;
}

async function sigkill(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-(child.pid ?? 0), 'SIGKILL');
  await exited;
}

const labels1: AttemptLabels = {
  build: '0123456789abcdef-1',
  step: 'engine_build',
  attempt: 1,
  worker: 'worker-a',
  host: 'host-1',
};

describe('fencing: a SIGKILLed worker leaves an orphan container', { timeout: 180_000 }, () => {
  it('the orphan outlives its worker; reapOrphans finds it by its labels and stops it', async () => {
    const s = setup();
    const child = await startDoomedWorker(s, labels1, 'run-a1');
    await sigkill(child);
    // The worker and its docker client are dead; the container is not (as with real docker).
    const orphan = runningContainers(s.state).find((c) => c.Name === 'run-a1');
    expect(orphan?.Labels).toMatchObject({
      'trt-orchestrator': '1',
      'trt-orchestrator.build': labels1.build,
      'trt-orchestrator.attempt': '1',
      'trt-orchestrator.worker': 'worker-a',
      'trt-orchestrator.host': 'host-1',
      'trt-orchestrator.gpus': '0',
    });
    expect(isAlive(orphan?.Pid ?? -1)).toBe(true);
    // Its partial output is in its own attempt directory, not in the workspace's engine dir.
    expect(existsSync(path.join(s.ws, 'engine', 'rank0.engine'))).toBe(false);

    const fence = createDockerFence({ env: s.env });
    expect(await fence.busyGpuIds('host-1')).toEqual(new Set(['0']));
    expect(await fence.reapOrphans('host-2', new Set())).toEqual([]);
    expect(await fence.reapOrphans('host-1', new Set())).toEqual([labels1]);
    expect(isAlive(orphan?.Pid ?? -1)).toBe(false);
    expect(runningContainers(s.state)).toEqual([]);
    expect(await fence.busyGpuIds('host-1')).toEqual(new Set());
  });

  it('a takeover (same attempt number, as after a stalled job) stops the orphan before it starts: no overlap, outputs only its own', async () => {
    const s = setup();
    const child = await startDoomedWorker(s, labels1, 'run-a1');
    await sigkill(child);
    const orphanPid = runningContainers(s.state).find((c) => c.Name === 'run-a1')?.Pid ?? -1;
    expect(isAlive(orphanPid)).toBe(true);

    const executor = createDockerExecutor({ env: s.env, forceKillAfterMs: 1_000 });
    const { ctx, log } = runContext(s.ws, {
      runName: 'run-b1',
      gpuIds: ['0'],
      labels: { ...labels1, worker: 'worker-b' },
    });
    const outcome = await executor.run(step, ctx);
    expect(outcome.ok, outcome.ok ? '' : outcome.failure.message).toBe(true);
    expect(log.lines.map((l) => l.line)).toContain(
      '[orchestrator] stopped container run-a1 (attempt 1 of worker worker-a) of step engine_build before starting attempt 1',
    );
    expect(isAlive(orphanPid)).toBe(false);

    // The fake's history: the orphan ended before the takeover's container started.
    const lives = containerLives(s.state);
    expect(lives.map((l) => l.name)).toEqual(['run-a1', 'run-b1']);
    expect(overlaps(lives)).toEqual([]);
    expect(lives[0]?.endedAt ?? Infinity).toBeLessThanOrEqual(lives[1]?.startedAt ?? 0);

    // Outputs: exactly the takeover's files, every one written by it; no attempt leftovers.
    const engine = path.join(s.ws, 'engine');
    expect(readdirSync(engine).sort()).toEqual(['config.json', 'rank0.engine', 'rank1.engine']);
    for (const f of ['rank0.engine', 'rank1.engine']) {
      const body = readFileSync(path.join(engine, f), 'utf8');
      expect(body).toContain('by run-b1');
      expect(body).not.toContain('run-a1');
    }
    expect(existsSync(path.join(s.ws, '.attempts'))).toBe(false);
  });

  it('a retry (attempt 2) stops the orphan too, and a stale attempt never starts beside a later one', async () => {
    const s = setup();
    const child = await startDoomedWorker(s, { ...labels1, attempt: 2 }, 'run-a2');
    await sigkill(child);
    const executor = createDockerExecutor({ env: s.env, forceKillAfterMs: 1_000 });
    // A worker still holding attempt 1 (it lost the lock long ago) must not start beside attempt 2.
    const stale = runContext(s.ws, {
      runName: 'run-stale',
      gpuIds: ['0'],
      labels: { ...labels1, attempt: 1, worker: 'worker-z' },
    });
    const refused = await executor.run(step, stale.ctx);
    expect(refused.ok ? null : refused.failure.code).toBe('STEP_FENCE_FAILED');
    expect(refused.ok ? '' : refused.failure.message).toContain(
      'attempt 2 of step engine_build is already running (container run-a2); attempt 1 is stale',
    );
    expect(runningContainers(s.state).map((c) => c.Name)).toEqual(['run-a2']);

    const retry = runContext(s.ws, {
      runName: 'run-c3',
      gpuIds: ['0'],
      labels: { ...labels1, attempt: 3, worker: 'worker-c' },
    });
    const outcome = await executor.run(step, retry.ctx);
    expect(outcome.ok, outcome.ok ? '' : outcome.failure.message).toBe(true);
    expect(overlaps(containerLives(s.state))).toEqual([]);
    expect(readFileSync(path.join(s.ws, 'engine', 'rank1.engine'), 'utf8')).toContain('by run-c3');
  });
});
