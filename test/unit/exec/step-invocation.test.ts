import { describe, expect, it } from 'vitest';
import { dockerInvocation, localInvocation, mapArg } from '../../../orchestrator/exec/step-invocation.js';
import type { StepRunContext } from '../../../orchestrator/exec/types.js';
import type { ContainerStep } from '../../../orchestrator/plan/types.js';

const IMAGE = 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0';

function step(over: Partial<ContainerStep> = {}): ContainerStep {
  return {
    id: 'engine_build',
    kind: 'engine_build',
    description: 'build',
    gpus: 2,
    secretEnv: [],
    inputs: [],
    outputs: [],
    timeoutSeconds: 60,
    image: IMAGE,
    argv: [
      'trtllm-build',
      '--checkpoint_dir',
      '/workspace/trtllm_checkpoint',
      '--output_dir=/workspace/engine',
      '--workers',
      '2',
    ],
    ...over,
  };
}

function ctx(over: Partial<StepRunContext> = {}): StepRunContext {
  return {
    workspaceDir: '/srv/work/b1',
    workspaceMount: '/workspace',
    gpuIds: ['0', '1'],
    secrets: {},
    runName: 'trt-b1-engine_build-1',
    signal: new AbortController().signal,
    onLine: () => undefined,
    ...over,
  };
}

describe('dockerInvocation', () => {
  it('builds the exact docker run argv, with secrets by name only', () => {
    const secret = 'hf_very_secret_value_123';
    const r = dockerInvocation(
      'docker',
      step({ secretEnv: ['HF_TOKEN'] }),
      ctx({ secrets: { HF_TOKEN: secret, OTHER: 'x' } }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.invocation.file).toBe('docker');
    expect(r.invocation.args).toEqual([
      'run',
      '--rm',
      '--name',
      'trt-b1-engine_build-1',
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
      '/srv/work/b1:/workspace',
      '-e',
      'HF_TOKEN',
      IMAGE,
      'trtllm-build',
      '--checkpoint_dir',
      '/workspace/trtllm_checkpoint',
      '--output_dir=/workspace/engine',
      '--workers',
      '2',
    ]);
    expect(r.invocation.env).toEqual({ HF_TOKEN: secret });
    expect(r.invocation.args.join(' ')).not.toContain(secret);
  });

  it('labels the container with its attempt and devices, and mounts attempt-scoped outputs over the output paths', () => {
    const labels = {
      build: '0123456789abcdef-1',
      step: 'engine_build',
      attempt: 2,
      worker: 'w-host1-42',
      host: 'host1',
    };
    const r = dockerInvocation('docker', step(), ctx({ labels }), [
      { host: '/srv/work/b1/.attempts/engine_build/run/0', container: '/workspace/engine' },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.invocation.args.slice(0, 18)).toEqual([
      'run',
      '--rm',
      '--name',
      'trt-b1-engine_build-1',
      '--label',
      'trt-orchestrator=1',
      '--label',
      'trt-orchestrator.build=0123456789abcdef-1',
      '--label',
      'trt-orchestrator.step=engine_build',
      '--label',
      'trt-orchestrator.attempt=2',
      '--label',
      'trt-orchestrator.worker=w-host1-42',
      '--label',
      'trt-orchestrator.host=host1',
      '--label',
      'trt-orchestrator.gpus=0+1',
    ]);
    const v = r.invocation.args.indexOf('-v');
    expect(r.invocation.args.slice(v, v + 4)).toEqual([
      '-v',
      '/srv/work/b1:/workspace',
      '-v',
      '/srv/work/b1/.attempts/engine_build/run/0:/workspace/engine',
    ]);
  });

  it.each([
    [{ build: 'a,b' }, 'attempt label build "a,b" must be'],
    [{ worker: '' }, 'attempt label worker "" must be'],
    [{ host: 'h=1' }, 'attempt label host "h=1" must be'],
    [{ step: 'x'.repeat(201) }, 'attempt label step'],
    [{ attempt: 0 }, 'attempt label attempt must be a whole number ≥ 1 (got 0)'],
    [{ attempt: 1.5 }, '(got 1.5)'],
  ] as const)('refuses attempt labels %j that could not be filtered on exactly', (over, message) => {
    const labels = { build: 'b1', step: 'engine_build', attempt: 1, worker: 'w', host: 'h', ...over };
    const r = dockerInvocation('docker', step(), ctx({ labels }));
    expect(r).toMatchObject({ ok: false, code: 'STEP_INVALID_INVOCATION' });
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('refuses an output mount outside the workspace mount or with docker separators', () => {
    for (const m of [
      { host: '/a', container: '/etc' },
      { host: '/a:b', container: '/workspace/e' },
      { host: 'rel', container: '/workspace/e' },
      { host: '/a', container: '/workspace/../x' },
    ]) {
      const r = dockerInvocation('docker', step(), ctx(), [m]);
      expect(r).toMatchObject({ ok: false, code: 'STEP_INVALID_INVOCATION' });
    }
  });

  it('omits --gpus for a step given no devices', () => {
    const r = dockerInvocation('docker', step({ gpus: 0 }), ctx({ gpuIds: [] }));
    expect(r.ok && r.invocation.args.includes('--gpus')).toBe(false);
  });

  it.each([
    [{ runName: 'bad name' }, 'run name "bad name" is not a valid container name'],
    [{ runName: '-rm' }, 'run name "-rm" is not a valid container name'],
    [{ gpuIds: ['0', 'all'] }, 'GPU id "all" is not a device index or GPU-/MIG- UUID'],
    [{ gpuIds: ['0', '0'] }, 'GPU ids 0,0 name a device twice'],
    [{ gpuIds: ['0'] }, 'step engine_build needs 2 GPU(s) but 1 were assigned'],
    [{ workspaceDir: 'relative/dir' }, 'workspace dir "relative/dir" must be an absolute path'],
    [{ workspaceDir: '/srv/a:/etc' }, 'workspace dir "/srv/a:/etc" must be an absolute path'],
    [{ workspaceDir: '/srv/../etc' }, 'workspace dir "/srv/../etc" must be an absolute path'],
    [{ workspaceMount: '/' }, 'workspace mount "/" must be an absolute path (not /)'],
  ] as const)('refuses a bad context %j', (over, message) => {
    const r = dockerInvocation('docker', step(), ctx(over));
    expect(r).toMatchObject({ ok: false, code: 'STEP_INVALID_INVOCATION' });
    if (!r.ok) expect(r.message).toContain(message);
  });

  it.each([
    [{ image: '--privileged' }, 'image "--privileged" is not an image reference'],
    [{ image: 'img with space' }, 'is not an image reference'],
    [{ argv: [] }, 'step engine_build has an empty argv'],
    [{ timeoutSeconds: 0 }, 'step engine_build timeoutSeconds must be a whole number from 1 to 604800 (got 0)'],
    [{ timeoutSeconds: 1.5 }, 'timeoutSeconds must be a whole number'],
    [{ timeoutSeconds: Number.NaN }, '(got NaN)'],
    [{ timeoutSeconds: 1e12 }, 'timeoutSeconds must be a whole number'],
    [{ argv: ['trtllm-build', 'a\0b'] }, 'NUL byte'],
    [{ secretEnv: ['BAD-NAME'] }, 'secret name "BAD-NAME" is not a usable environment variable name'],
    [{ secretEnv: ['LD_PRELOAD'] }, 'secret name "LD_PRELOAD" is not a usable'],
  ] as const)('refuses a bad step %j', (over, message) => {
    const r = dockerInvocation('docker', step(over), ctx());
    expect(r).toMatchObject({ ok: false, code: 'STEP_INVALID_INVOCATION' });
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('a missing secret names the secret, never a value', () => {
    const r = dockerInvocation('docker', step({ secretEnv: ['HF_TOKEN'] }), ctx({ secrets: { OTHER: 'v' } }));
    expect(r).toEqual({
      ok: false,
      code: 'STEP_SECRET_MISSING',
      message: 'step engine_build needs secret HF_TOKEN, which is not configured',
    });
    expect(dockerInvocation('docker', step({ secretEnv: ['HF_TOKEN'] }), ctx({ secrets: { HF_TOKEN: '' } })).ok).toBe(
      false,
    );
    // An inherited property name is not a configured secret.
    expect(dockerInvocation('docker', step({ secretEnv: ['constructor'] }), ctx()).ok).toBe(false);
  });
});

describe('localInvocation', () => {
  it('maps workspace paths (also --flag=/workspace/…) and sets CUDA_VISIBLE_DEVICES', () => {
    const r = localInvocation(step({ secretEnv: ['HF_TOKEN'] }), ctx({ secrets: { HF_TOKEN: 'tok' } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.invocation.file).toBe('trtllm-build');
    expect(r.invocation.args).toEqual([
      '--checkpoint_dir',
      '/srv/work/b1/trtllm_checkpoint',
      '--output_dir=/srv/work/b1/engine',
      '--workers',
      '2',
    ]);
    expect(r.invocation.env).toEqual({ HF_TOKEN: 'tok', CUDA_VISIBLE_DEVICES: '0,1' });
    expect(r.invocation.cwd).toBe('/srv/work/b1');
  });

  it('sends paths under an attempt-scoped output to the attempt directory, other paths to the workspace', () => {
    const r = localInvocation(
      step({
        argv: [
          'trtllm-build',
          '--checkpoint_dir',
          '/workspace/trtllm_checkpoint',
          '--output_dir=/workspace/engine',
          '--log',
          '/workspace/engine/x.log',
        ],
      }),
      ctx(),
      [{ host: '/srv/work/b1/.attempts/s/r/0', container: '/workspace/engine' }],
    );
    expect(r.ok && r.invocation.args).toEqual([
      '--checkpoint_dir',
      '/srv/work/b1/trtllm_checkpoint',
      '--output_dir=/srv/work/b1/.attempts/s/r/0',
      '--log',
      '/srv/work/b1/.attempts/s/r/0/x.log',
    ]);
  });

  it('refuses argv paths that climb out of the workspace', () => {
    const r = localInvocation(step({ argv: ['trtllm-build', '--output_dir', '/workspace/../../etc'] }), ctx());
    expect(r).toEqual({
      ok: false,
      code: 'STEP_INVALID_INVOCATION',
      message: 'argument "/workspace/../../etc" leaves the workspace with ".."',
    });
  });
});

describe('mapArg', () => {
  it('maps only the mount itself and paths below it', () => {
    expect(mapArg('/workspace', '/workspace', '/h')).toEqual({ ok: true, value: '/h' });
    expect(mapArg('/workspace/a/b', '/workspace', '/h')).toEqual({ ok: true, value: '/h/a/b' });
    expect(mapArg('/workspace2/a', '/workspace', '/h')).toEqual({ ok: true, value: '/workspace2/a' });
    expect(mapArg('--x=/workspace/a', '/workspace', '/h')).toEqual({ ok: true, value: '--x=/h/a' });
    expect(mapArg('a=/workspace/a', '/workspace', '/h')).toEqual({ ok: true, value: 'a=/workspace/a' });
    expect(mapArg('fp8', '/workspace', '/h')).toEqual({ ok: true, value: 'fp8' });
  });
});
