import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareAttemptOutputs } from '../../../orchestrator/exec/attempt-outputs.js';
import { createDockerExecutor } from '../../../orchestrator/exec/docker-executor.js';
import { createLocalExecutor } from '../../../orchestrator/exec/local-executor.js';
import { runningContainers } from '../../fixtures/bin/lib/fake-docker/state.js';
import { FAKE_BIN, containerStep, fakeDockerState, runContext, tempDir, waitUntil } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

function ws(): string {
  const t = tempDir('attempt-ws-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function dockerSetup(knobs: Record<string, string> = {}) {
  const dir = ws();
  const state = fakeDockerState();
  cleanups.push(state.cleanup);
  const env = {
    ...process.env,
    PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
    FAKE_DOCKER_STATE: state.dir,
    ...knobs,
  } as Record<string, string>;
  return { ws: dir, state: state.dir, env };
}

const engineStep = containerStep({ outputs: ['/workspace/engine'], timeoutSeconds: 600 });

/** Puts a "previous good output" in the workspace's engine dir. */
function previousOutput(dir: string): void {
  mkdirSync(path.join(dir, 'engine'));
  writeFileSync(path.join(dir, 'engine', 'rank0.engine'), 'previous');
  writeFileSync(path.join(dir, 'engine', 'leftover.tmp'), 'previous attempt leftover');
}

describe('prepareAttemptOutputs', () => {
  it('refuses outputs outside the workspace, nested outputs and odd step ids', async () => {
    const dir = ws();
    const bad = async (over: Parameters<typeof containerStep>[0]) => {
      const r = await prepareAttemptOutputs(containerStep(over), dir, '/workspace', 'run-1', false);
      return r.ok ? 'ok' : r.message;
    };
    expect(await bad({ outputs: ['/etc/engine'] })).toBe('output "/etc/engine" must be a directory under /workspace');
    expect(await bad({ outputs: ['/workspace'] })).toBe('output "/workspace" must be a directory under /workspace');
    expect(await bad({ outputs: ['/workspace/a/../../etc'] })).toBe(
      'output "/workspace/a/../../etc" must be a directory under /workspace',
    );
    expect(await bad({ outputs: ['/workspace/engine', '/workspace/engine/sub'] })).toBe(
      'outputs of step engine_build nest or repeat (/workspace/engine)',
    );
    expect(await bad({ id: '../x', outputs: ['/workspace/engine'] })).toBe('step id "../x" cannot name a directory');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an output that is also an input is written in place (not hidden behind an empty mount)', async () => {
    const r = await prepareAttemptOutputs(
      containerStep({ inputs: ['/workspace/engine'], outputs: ['/workspace/engine', '/workspace/launch'] }),
      ws(),
      '/workspace',
      'run-1',
      false,
    );
    expect(r.ok && r.outputs.staged.map((s) => s.containerPath)).toEqual(['/workspace/launch']);
  });

  it('commit replaces the old output in one rename: none of its files (leftovers included) survive; the attempt dir goes', async () => {
    const dir = ws();
    previousOutput(dir);
    const r = await prepareAttemptOutputs(engineStep, dir, '/workspace', 'run-2', false);
    if (!r.ok) throw new Error(r.message);
    const [s] = r.outputs.staged;
    expect(s?.staging).toBe(path.join(dir, '.attempts', 'engine_build', 'run-2', '0'));
    writeFileSync(path.join(s?.staging ?? '', 'rank0.engine'), 'new');
    expect(await r.outputs.missing()).toEqual([]);
    await r.outputs.commit();
    expect(readdirSync(path.join(dir, 'engine'))).toEqual(['rank0.engine']);
    expect(readFileSync(path.join(dir, 'engine', 'rank0.engine'), 'utf8')).toBe('new');
    expect(existsSync(path.join(dir, '.attempts'))).toBe(false);
  });

  it('an empty staged output is reported missing; clearEarlier removes earlier attempts of the step only', async () => {
    const dir = ws();
    mkdirSync(path.join(dir, '.attempts', 'engine_build', 'run-old', '0'), { recursive: true });
    mkdirSync(path.join(dir, '.attempts', 'quantize', 'run-q', '0'), { recursive: true });
    const r = await prepareAttemptOutputs(engineStep, dir, '/workspace', 'run-3', true);
    if (!r.ok) throw new Error(r.message);
    expect(readdirSync(path.join(dir, '.attempts', 'engine_build'))).toEqual(['run-3']);
    expect(readdirSync(path.join(dir, '.attempts', 'quantize'))).toEqual(['run-q']);
    expect(await r.outputs.missing()).toEqual(['/workspace/engine']);
    await r.outputs.discard();
    expect(readdirSync(path.join(dir, '.attempts'))).toEqual(['quantize']);
  });
});

describe('attempt-scoped outputs through the executors', { timeout: 120_000 }, () => {
  it('docker: an earlier attempt that keeps running (unfenced) never writes into the output the new attempt commits', async () => {
    const s = dockerSetup();
    const orphanExec = createDockerExecutor({
      env: { ...s.env, FAKE_DOCKER_HANG_AFTER_FILES: '1' },
      forceKillAfterMs: 1_000,
    });
    const orphan = runContext(s.ws, { runName: 'run-old' });
    const orphanRun = orphanExec.run(engineStep, orphan.ctx);
    await waitUntil(
      () => existsSync(path.join(s.ws, '.attempts', 'engine_build', 'run-old', '0', 'rank0.engine')),
      'the old attempt wrote a file',
      60_000,
    );
    // No labels: no fencing at all. The new attempt still gets a directory of its own.
    const retry = await createDockerExecutor({ env: s.env, forceKillAfterMs: 1_000 }).run(
      engineStep,
      runContext(s.ws, { runName: 'run-new' }).ctx,
    );
    expect(retry.ok, retry.ok ? '' : retry.failure.message).toBe(true);
    expect(runningContainers(s.state).map((c) => c.Name)).toEqual(['run-old']);
    expect(readdirSync(path.join(s.ws, 'engine')).sort()).toEqual(['config.json', 'rank0.engine']);
    expect(readFileSync(path.join(s.ws, 'engine', 'rank0.engine'), 'utf8')).toContain('by run-new');
    orphan.abort.abort(new Error('test done'));
    expect((await orphanRun).ok).toBe(false);
    // The cancelled attempt's directory is gone; the committed output is untouched.
    expect(existsSync(path.join(s.ws, '.attempts'))).toBe(false);
    expect(readFileSync(path.join(s.ws, 'engine', 'rank0.engine'), 'utf8')).toContain('by run-new');
  });

  it('docker: a failed attempt leaves the previous output as it was', async () => {
    const s = dockerSetup({ FAKE_DOCKER_FAIL: 'cuda_oom' });
    previousOutput(s.ws);
    const r = await createDockerExecutor({ env: s.env }).run(engineStep, runContext(s.ws, { runName: 'run-oom' }).ctx);
    expect(r.ok ? null : r.failure.class).toBe('cuda_oom');
    expect(readdirSync(path.join(s.ws, 'engine')).sort()).toEqual(['leftover.tmp', 'rank0.engine']);
    expect(existsSync(path.join(s.ws, '.attempts'))).toBe(false);
  });

  it('docker: exit 0 without the declared output is STEP_OUTPUT_MISSING (not retried), previous output kept', async () => {
    const s = dockerSetup();
    previousOutput(s.ws);
    const elsewhere = containerStep({
      outputs: ['/workspace/engine'],
      argv: ['trtllm-build', '--checkpoint_dir', '/workspace/c', '--output_dir', '/workspace/other'],
    });
    const r = await createDockerExecutor({ env: s.env }).run(elsewhere, runContext(s.ws, { runName: 'run-miss' }).ctx);
    expect(r.ok ? null : r.failure).toMatchObject({
      code: 'STEP_OUTPUT_MISSING',
      retryable: false,
      message: 'step engine_build exited 0 but did not write /workspace/engine',
    });
    expect(readFileSync(path.join(s.ws, 'engine', 'rank0.engine'), 'utf8')).toBe('previous');
  });

  it('local: output paths in argv go to the attempt directory, committed on success', async () => {
    const dir = ws();
    previousOutput(dir);
    const step = containerStep({
      gpus: 0,
      outputs: ['/workspace/engine'],
      argv: ['/bin/sh', '-c', 'echo "$1" > "$0/marker"; pwd > "$0/cwd"', '/workspace/engine', 'attempt-local'],
    });
    const { ctx } = runContext(dir, { gpuIds: [], runName: 'run-local' });
    const r = await createLocalExecutor({ env: { PATH: '/usr/bin:/bin' } }).run(step, ctx);
    expect(r.ok, r.ok ? '' : r.failure.message).toBe(true);
    expect(readdirSync(path.join(dir, 'engine')).sort()).toEqual(['cwd', 'marker']);
    expect(readFileSync(path.join(dir, 'engine', 'marker'), 'utf8')).toBe('attempt-local\n');
    expect(existsSync(path.join(dir, '.attempts'))).toBe(false);
  });
});
