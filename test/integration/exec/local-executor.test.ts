import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalExecutor } from '../../../orchestrator/exec/local-executor.js';
import { REDACTED } from '../../../orchestrator/exec/redact.js';
import type { StepOutcome } from '../../../orchestrator/exec/types.js';
import { containerStep, runContext, tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

function workspace(): string {
  const t = tempDir('local-ws-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const executor = createLocalExecutor({
  env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  forceKillAfterMs: 1_000,
});

/** A step whose "tool" is a node one-liner (argv[0] `node`, run straight from PATH). */
function nodeStep(script: string, extra: string[] = [], over: Parameters<typeof containerStep>[0] = {}) {
  return containerStep({ argv: ['node', '-e', script, ...extra], ...over });
}

function failureOf(o: StepOutcome) {
  if (o.ok) throw new Error(`expected a failure, got success: ${o.result.tail}`);
  return o.failure;
}

describe.concurrent('local executor', () => {
  it('maps /workspace paths to the host dir, runs in it, sets CUDA_VISIBLE_DEVICES, streams lines', async () => {
    const ws = workspace();
    const script = `
      const fs = require('node:fs');
      fs.mkdirSync(process.argv[1], { recursive: true });
      fs.writeFileSync(process.argv[1] + '/config.json', JSON.stringify({ cwd: process.cwd(), flag: process.argv[2] }));
      console.log('devices=' + process.env.CUDA_VISIBLE_DEVICES);
      console.error('progress 50%');`;
    const { ctx, log } = runContext(ws, { gpuIds: ['2', '3'] });
    const out = await executor.run(
      nodeStep(script, ['/workspace/engine', '--output_dir=/workspace/engine'], { gpus: 2 }),
      ctx,
    );
    expect(out.ok, out.ok ? '' : out.failure.message).toBe(true);
    const written = JSON.parse(readFileSync(path.join(ws, 'engine', 'config.json'), 'utf8')) as {
      cwd: string;
      flag: string;
    };
    expect(written).toEqual({ cwd: ws, flag: `--output_dir=${path.join(ws, 'engine')}` });
    expect(log.lines).toEqual([
      { line: 'devices=2,3', stream: 'stdout' },
      { line: 'progress 50%', stream: 'stderr' },
    ]);
  });

  it('redacts secret values from every line and from the tail, and passes them only via the environment', async () => {
    const ws = workspace();
    const secret = 'hf_local_secret_value_9';
    const script = `console.log('token is ' + process.env.HF_TOKEN); console.error('again ' + process.env.HF_TOKEN); process.exit(3);`;
    const { ctx, log } = runContext(ws, { secrets: { HF_TOKEN: secret } });
    const f = failureOf(await executor.run(nodeStep(script, [], { secretEnv: ['HF_TOKEN'] }), ctx));
    expect(log.lines.map((l) => l.line)).toEqual([`token is ${REDACTED}`, `again ${REDACTED}`]);
    expect(f.result.tail).not.toContain(secret);
    expect(f.message).not.toContain(secret);
    expect(f.result.exitCode).toBe(3);
    expect(f.class).toBe('unknown');
  });

  it('cancel stops a tool that ignores SIGTERM within seconds (SIGKILL after the grace period)', async () => {
    const ws = workspace();
    const script = `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('started'); setInterval(() => {}, 1000);`;
    const { ctx, abort, log } = runContext(ws);
    const running = executor.run(nodeStep(script), ctx);
    await log.waitFor(/^started$/);
    const t0 = performance.now();
    abort.abort();
    const f = failureOf(await running);
    // SIGTERM is ignored, so this is the 1 s grace + SIGKILL; the bound leaves room for a loaded host.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(f.class).toBe('canceled');
  });

  it('times out per the step', async () => {
    const ws = workspace();
    const f = failureOf(
      await executor.run(nodeStep('setInterval(() => {}, 1000)', [], { timeoutSeconds: 1 }), runContext(ws).ctx),
    );
    expect(f.class).toBe('timeout');
    expect(f.message).toMatch(/timed out after \d+ s/);
  });

  it('argparse-style exit 2 is a bad argument; a missing tool is exit 127', async () => {
    const ws = workspace();
    const script = `console.error('usage: trtllm-build [-h]'); console.error('trtllm-build: error: unrecognized arguments: --nope'); process.exit(2);`;
    const f = failureOf(await executor.run(nodeStep(script), runContext(ws).ctx));
    expect(f.class).toBe('bad_argument');
    expect(f.message).toContain('error: unrecognized arguments: --nope');
    const g = failureOf(
      await executor.run(containerStep({ argv: ['trtllm-build-does-not-exist', '--x'] }), runContext(ws).ctx),
    );
    expect(g.class).toBe('container_runtime');
    expect(g.result.exitCode).toBe(127);
    expect(g.result.tail).toContain('ENOENT');
  });

  it('refuses an argv that escapes the workspace, without running anything', async () => {
    const ws = workspace();
    const f = failureOf(
      await executor.run(
        nodeStep("require('fs').writeFileSync(process.argv[1], 'x')", ['/workspace/../escaped']),
        runContext(ws).ctx,
      ),
    );
    expect(f.code).toBe('STEP_INVALID_INVOCATION');
    expect(existsSync(path.join(path.dirname(ws), 'escaped'))).toBe(false);
  });

  it('caps a runaway output line instead of holding it whole', async () => {
    const ws = workspace();
    const { ctx, log } = runContext(ws);
    const out = await executor.run(nodeStep("process.stdout.write('x'.repeat(200000) + '\\n')"), ctx);
    expect(out.ok).toBe(true);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]?.line.length).toBeLessThan(9_000);
    expect(log.lines[0]?.line).toContain('chars cut]');
  });
});
