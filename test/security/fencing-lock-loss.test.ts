/**
 * Issue 9, item 2: a worker that loses a job's lock (e.g. a Redis outage longer than the lock
 * duration) must stop that job's container at once, so the worker that takes the job over never
 * runs beside it. The worker signals lock loss with an AbortSignal; the fence can also stop a
 * build's containers from outside the run (another process, by label).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerExecutor } from '../../orchestrator/exec/docker-executor.js';
import { createDockerFence } from '../../orchestrator/exec/docker-fence.js';
import type { AttemptLabels } from '../../orchestrator/exec/types.js';
import { isAlive, runningContainers } from '../fixtures/bin/lib/fake-docker/state.js';
import {
  FAKE_BIN,
  containerStep,
  fakeDockerState,
  runContext,
  tempDir,
  waitUntil,
} from '../integration/exec/helpers.js';

/** Bound for "stopped at once": well under a second unloaded; room for a loaded 2-core CI host. */
const STOP_BOUND_MS = 10_000;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

function setup() {
  const ws = tempDir('lockloss-ws-');
  const state = fakeDockerState();
  cleanups.push(ws.cleanup, state.cleanup);
  const env = {
    ...process.env,
    PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
    FAKE_DOCKER_STATE: state.dir,
    FAKE_DOCKER_FAIL: 'hang',
  } as Record<string, string>;
  return { ws: ws.dir, state: state.dir, env, executor: createDockerExecutor({ env, forceKillAfterMs: 1_000 }) };
}

const step = containerStep({ timeoutSeconds: 600, outputs: ['/workspace/engine'] });
const labels = (build: string): AttemptLabels => ({
  build,
  step: 'engine_build',
  attempt: 1,
  worker: 'worker-a',
  host: 'host-1',
});

function exitRecord(state: string, name: string): { at: number; how: string } | undefined {
  const lines = readFileSync(path.join(state, 'exits.jsonl'), 'utf8').split('\n').filter(Boolean);
  return lines.map((l) => JSON.parse(l) as { name: string; at: number; how: string }).find((e) => e.name === name);
}

describe('fencing: lock loss stops the container within a bound', { timeout: 120_000 }, () => {
  it('the AbortSignal fired on lock loss removes the container (docker rm -f) and the run ends as cancelled', async () => {
    const s = setup();
    const { ctx, abort } = runContext(s.ws, { runName: 'run-lock-1', labels: labels('b0000000000000001-1') });
    const running = s.executor.run(step, ctx);
    await waitUntil(
      () => runningContainers(s.state).some((c) => c.Name === 'run-lock-1'),
      'the container runs',
      60_000,
    );
    const pid = runningContainers(s.state).find((c) => c.Name === 'run-lock-1')?.Pid ?? -1;
    const t0 = Date.now();
    abort.abort(new Error('lock lost'));
    const outcome = await running;
    const took = Date.now() - t0;
    console.log(`lock loss → container gone and run ended in ${took} ms`);
    expect(took).toBeLessThan(STOP_BOUND_MS);
    expect(outcome.ok ? null : outcome.failure.class).toBe('canceled');
    expect(isAlive(pid)).toBe(false);
    expect(runningContainers(s.state)).toEqual([]);
    const exit = exitRecord(s.state, 'run-lock-1');
    expect(exit?.how).toBe('removed');
    expect((exit?.at ?? Infinity) - t0).toBeLessThan(STOP_BOUND_MS);
  });

  it('stopBuild (from another process, by label) stops only that build, within the bound; the run it cut short ends', async () => {
    const s = setup();
    const a = runContext(s.ws, { runName: 'run-a', labels: labels('b000000000000000a-1') });
    const b = runContext(s.ws, { runName: 'run-b', labels: labels('b000000000000000b-1'), gpuIds: ['1'] });
    const runA = s.executor.run(step, a.ctx);
    const runB = s.executor.run(step, b.ctx);
    await waitUntil(() => runningContainers(s.state).length === 2, 'both containers run', 60_000);
    const fence = createDockerFence({ env: s.env });
    expect(await fence.stopBuild('b000000000000000a-1', 'quantize')).toBe(0);
    const t0 = Date.now();
    expect(await fence.stopBuild('b000000000000000a-1', 'engine_build')).toBe(1);
    // Three docker CLI calls (ps, inspect, rm -f): each is a process start on a loaded host.
    expect(Date.now() - t0).toBeLessThan(2 * STOP_BOUND_MS);
    expect(runningContainers(s.state).map((c) => c.Name)).toEqual(['run-b']);
    const outA = await runA;
    expect(outA.ok).toBe(false);
    expect(await fence.stopBuild('b000000000000000a-1')).toBe(0);
    b.abort.abort(new Error('test done'));
    await runB;
    expect(runningContainers(s.state)).toEqual([]);
  });
});
