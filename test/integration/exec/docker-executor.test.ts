import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideOutcome } from '../../../orchestrator/build/decide-outcome.js';
import { createDockerExecutor } from '../../../orchestrator/exec/docker-executor.js';
import { createGpuAllocator, withGpus } from '../../../orchestrator/exec/gpu-allocator.js';
import type { StepOutcome } from '../../../orchestrator/exec/types.js';
import {
  isAlive,
  listContainers,
  pidFile,
  recordedRuns,
  startedContainers,
} from '../../fixtures/bin/lib/fake-docker/state.js';
import { FAKE_BIN, QUANTIZE_PY, containerStep, fakeDockerState, runContext, tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

/** A fresh workspace + fake-docker state dir, and an executor whose PATH starts with the fake. */
function setup(knobs: Record<string, string> = {}) {
  const ws = tempDir('exec-ws-');
  const state = fakeDockerState();
  cleanups.push(ws.cleanup, state.cleanup);
  const env = {
    ...process.env,
    PATH: `${FAKE_BIN}:${process.env['PATH'] ?? ''}`,
    FAKE_DOCKER_STATE: state.dir,
    ...knobs,
  };
  const executor = createDockerExecutor({ env, forceKillAfterMs: 2_000 });
  return { ws: ws.dir, state: state.dir, executor };
}

function failureOf(o: StepOutcome) {
  if (o.ok) throw new Error(`expected a failure, got success: ${o.result.tail}`);
  return o.failure;
}

const quantize = containerStep({
  id: 'quantize',
  kind: 'quantize',
  gpus: 2,
  secretEnv: ['HF_TOKEN'],
  argv: [
    'python3',
    QUANTIZE_PY,
    '--model_dir',
    '/workspace/checkpoint',
    '--output_dir',
    '/workspace/trtllm_checkpoint',
    '--qformat',
    'fp8',
    '--dtype',
    'bfloat16',
    '--tp_size',
    '2',
  ],
});
const engineBuild = containerStep({
  gpus: 2,
  argv: [
    'trtllm-build',
    '--checkpoint_dir',
    '/workspace/trtllm_checkpoint',
    '--output_dir',
    '/workspace/engine',
    '--workers',
    '2',
    '--max_batch_size',
    '8',
  ],
});

describe('docker executor against the fake docker CLI', { timeout: 90_000 }, () => {
  it('runs quantize then trtllm-build: outputs in the workspace, lines streamed, secret only by name', async () => {
    const { ws, state, executor } = setup();
    const secret = 'hf_integration_secret_value_42';
    const { ctx, log } = runContext(ws, {
      gpuIds: ['0', '1'],
      secrets: { HF_TOKEN: secret },
      runName: 'b1-quantize-1',
    });
    const q = await executor.run(quantize, ctx);
    expect(q.ok, q.ok ? '' : q.failure.message).toBe(true);
    expect(readdirSync(path.join(ws, 'trtllm_checkpoint')).sort()).toEqual([
      'config.json',
      'rank0.safetensors',
      'rank1.safetensors',
    ]);
    const cfg = JSON.parse(readFileSync(path.join(ws, 'trtllm_checkpoint', 'config.json'), 'utf8')) as {
      mapping: { world_size: number };
      quantization: { quant_algo: string };
    };
    expect(cfg.mapping.world_size).toBe(2);
    expect(cfg.quantization.quant_algo).toBe('FP8');

    const b = runContext(ws, { gpuIds: ['0', '1'], runName: 'b1-engine-1' });
    const e = await executor.run(engineBuild, b.ctx);
    expect(e.ok, e.ok ? '' : e.failure.message).toBe(true);
    expect(readdirSync(path.join(ws, 'engine')).sort()).toEqual(['config.json', 'rank0.engine', 'rank1.engine']);
    const engineCfg = JSON.parse(readFileSync(path.join(ws, 'engine', 'config.json'), 'utf8')) as Record<
      string,
      { max_batch_size?: number }
    >;
    expect(Object.keys(engineCfg).sort()).toEqual(['build_config', 'pretrained_config', 'version']);
    expect(engineCfg['build_config']?.max_batch_size).toBe(8);
    expect(b.log.lines.map((l) => l.line)).toContain('[TRT-LLM] [I] Engine generation completed for rank 1');

    // The container got the secret by name; the value is in no argv, line or tail.
    expect(log.lines.map((l) => l.line)).toContain('[fake] environment passed by name: HF_TOKEN');
    const runs = recordedRuns(state);
    expect(runs.map((r) => r.name)).toEqual(['b1-quantize-1', 'b1-engine-1']);
    expect(runs[0]?.args).toEqual([
      '--rm',
      '--name',
      'b1-quantize-1',
      '--label',
      'trt-orchestrator=1',
      '--gpus',
      '"device=0,1"',
      '--ipc=host',
      '--ulimit',
      'memlock=-1',
      '--ulimit',
      'stack=67108864',
      '-v',
      `${ws}:/workspace`,
      '-e',
      'HF_TOKEN',
      quantize.image,
      ...quantize.argv,
    ]);
    expect(JSON.stringify(runs)).not.toContain(secret);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
    if (q.ok) expect(q.result.tail).not.toContain(secret);
    expect(listContainers(state)).toEqual([]);
  });

  it('cancel removes the container within seconds (docker rm -f), and it is gone', async () => {
    const { ws, state, executor } = setup({ FAKE_DOCKER_FAIL: 'hang' });
    const { ctx, abort, log } = runContext(ws, { runName: 'b2-engine-1' });
    const running = executor.run(containerStep(), ctx);
    await log.waitFor(/Build phase/);
    const pid = Number.parseInt(readFileSync(pidFile(state, 'b2-engine-1'), 'utf8'), 10);
    expect(isAlive(pid)).toBe(true);
    const t0 = performance.now();
    abort.abort(new Error('user cancelled'));
    const outcome = await running;
    const took = performance.now() - t0;
    // Isolated this takes well under a second; the bound leaves room for a loaded 2-core CI host.
    expect(took).toBeLessThan(10_000);
    console.log(`cancel → outcome in ${Math.round(took)} ms`);
    const f = failureOf(outcome);
    expect(f.class).toBe('canceled');
    expect(decideOutcome(f, 1)).toEqual({ action: 'cancel' });
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pidFile(state, 'b2-engine-1'))).toBe(false);
  });

  it('a step timeout kills the container and classifies as timeout', async () => {
    const { ws, state, executor } = setup({ FAKE_DOCKER_FAIL: 'hang' });
    const { ctx } = runContext(ws, { runName: 'b3-engine-1' });
    // Long enough for the fake container to start even on a loaded host (it prints before hanging).
    const f = failureOf(await executor.run(containerStep({ timeoutSeconds: 15 }), ctx));
    expect(f.class).toBe('timeout');
    expect(f.code).toBe('STEP_TIMEOUT');
    expect(f.result.durationMs).toBeGreaterThanOrEqual(15_000);
    expect(f.result.durationMs).toBeLessThan(30_000);
    const started = startedContainers(state);
    expect(started.map((c) => c.name)).toEqual(['b3-engine-1']);
    for (const c of started) expect(isAlive(c.pid)).toBe(false);
    expect(listContainers(state)).toEqual([]);
  });

  it('CUDA OOM is classified and stops with the num_builder_gpus advice', async () => {
    const { ws, executor } = setup({ FAKE_DOCKER_FAIL: 'cuda_oom' });
    const { ctx } = runContext(ws, { runName: 'b4-engine-1' });
    const f = failureOf(await executor.run(containerStep(), ctx));
    expect(f.class).toBe('cuda_oom');
    expect(f.message).toContain('torch.OutOfMemoryError: CUDA out of memory');
    const o = decideOutcome(f, 1);
    expect(o).toMatchObject({ action: 'fail', code: 'STEP_CUDA_OOM' });
    if (o.action === 'fail') expect(o.advice).toContain('num_builder_gpus');
  });

  it('a host OOM kill (exit 137) is classified as such', async () => {
    const { ws, executor } = setup({ FAKE_DOCKER_FAIL: 'host_oom' });
    const { ctx } = runContext(ws, { runName: 'b5-engine-1' });
    const f = failureOf(await executor.run(containerStep(), ctx));
    expect(f.class).toBe('host_oom_killed');
    expect(f.result.exitCode).toBe(137);
  });

  it('a transient network failure is retried and the retry succeeds', async () => {
    const { ws, executor } = setup({ FAKE_DOCKER_FAIL: 'network', FAKE_DOCKER_FAIL_TIMES: '1' });
    const first = runContext(ws, { runName: 'b6-engine-1' });
    const f = failureOf(await executor.run(containerStep(), first.ctx));
    expect(f.class).toBe('network');
    expect(decideOutcome(f, 1)).toEqual({ action: 'retry', delayMs: 5_000 });
    const second = runContext(ws, { runName: 'b6-engine-2' });
    const ok = await executor.run(containerStep(), second.ctx);
    expect(ok.ok).toBe(true);
    expect(existsSync(path.join(ws, 'engine', 'rank0.engine'))).toBe(true);
  });

  it('an argv the pinned CLI rejects comes back as bad_argument (exit 2) with the violation', async () => {
    const { ws, executor } = setup();
    const { ctx } = runContext(ws, { runName: 'b7-engine-1' });
    const f = failureOf(
      await executor.run(
        containerStep({
          argv: [
            'trtllm-build',
            '--checkpoint_dir',
            '/workspace/c',
            '--output_dir',
            '/workspace/e',
            '--bogus_flag',
            '3',
          ],
        }),
        ctx,
      ),
    );
    expect(f.class).toBe('bad_argument');
    expect(f.result.exitCode).toBe(2);
    expect(f.message).toContain('--bogus_flag: unknown flag for trtllm-build');
    expect(decideOutcome(f, 1)).toMatchObject({ action: 'fail', code: 'STEP_BAD_ARGUMENT' });
  });

  it('docker failing to reach the GPU driver (exit 125) is a container-runtime failure', async () => {
    const { ws, executor } = setup({ FAKE_DOCKER_FAIL: 'no_gpu_driver' });
    const { ctx } = runContext(ws, { runName: 'b8-engine-1' });
    const f = failureOf(await executor.run(containerStep(), ctx));
    expect(f.class).toBe('container_runtime');
    expect(f.result.exitCode).toBe(125);
    expect(f.message).toContain('could not select device driver');
    expect(decideOutcome(f, 1).action).toBe('retry');
  });

  it('a missing docker binary is a container-runtime failure, not a crash', async () => {
    const ws = tempDir('exec-ws-');
    cleanups.push(ws.cleanup);
    const executor = createDockerExecutor({ dockerBin: '/nonexistent/docker', env: { PATH: '/usr/bin:/bin' } });
    const { ctx } = runContext(ws.dir, { runName: 'b9-engine-1' });
    const f = failureOf(await executor.run(containerStep(), ctx));
    expect(f.class).toBe('container_runtime');
    expect(f.result.exitCode).toBe(127);
  });

  it('refuses an unsafe invocation without running docker, and a missing secret by name', async () => {
    const { ws, state, executor } = setup();
    const bad = runContext(ws, { runName: '--privileged' });
    const f = failureOf(await executor.run(containerStep(), bad.ctx));
    expect(f).toMatchObject({ class: 'bad_argument', code: 'STEP_INVALID_INVOCATION', retryable: false });
    const noSecret = runContext(ws, { runName: 'b10-quantize-1', gpuIds: ['0', '1'] });
    const g = failureOf(await executor.run(quantize, noSecret.ctx));
    expect(g.code).toBe('STEP_SECRET_MISSING');
    expect(g.message).toBe('step quantize needs secret HF_TOKEN, which is not configured');
    expect(recordedRuns(state)).toEqual([]);
  });

  it('two builds run at once on disjoint devices from one allocator', async () => {
    const { ws, state, executor } = setup({ FAKE_DOCKER_SLEEP_MS: '300' });
    const allocator = createGpuAllocator(['0', '1', '2', '3']);
    const run = (build: string) =>
      withGpus(allocator, build, 2, (ids) =>
        executor.run(
          containerStep({
            gpus: 2,
            argv: ['trtllm-build', '--checkpoint_dir', '/workspace/c', '--output_dir', `/workspace/${build}`],
          }),
          runContext(ws, { gpuIds: ids, runName: `${build}-engine-1` }).ctx,
        ),
      );
    const [a, b] = await Promise.all([run('ba'), run('bb')]);
    expect(a?.value.ok).toBe(true);
    expect(b?.value.ok).toBe(true);
    // FAKE_DOCKER_SLEEP_MS stretches the tool's progress over that long.
    for (const r of [a, b]) if (r?.value.ok) expect(r.value.result.durationMs).toBeGreaterThanOrEqual(300);
    const gpus = recordedRuns(state)
      .map((r) => r.args[r.args.indexOf('--gpus') + 1])
      .sort();
    expect(gpus).toEqual(['"device=0,1"', '"device=2,3"']);
    expect(allocator.snapshot()).toEqual({});
  });
});
