import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attemptFromLabels,
  checkAttemptLabels,
  gpusFromLabels,
  isLabelValue,
  labelArgs,
} from '../../../orchestrator/exec/container-labels.js';
import type { AttemptLabels } from '../../../orchestrator/exec/types.js';

const L: AttemptLabels = {
  build: '0123456789abcdef-2',
  step: 'quantize',
  attempt: 3,
  worker: 'gpu-host.example.com-4242',
  host: 'gpu-host.example.com',
};

/** What docker stores for `--label k=v` pairs (last one wins, as in docker). */
function asDockerLabels(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    expect(args[i]).toBe('--label');
    const kv = args[i + 1] ?? '';
    out[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
  }
  return out;
}

describe('container labels', () => {
  it('round-trip: the labels put on a container read back as the same attempt and devices', () => {
    const labels = asDockerLabels(labelArgs(L, ['0', 'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50']));
    expect(labels['trt-orchestrator']).toBe('1');
    expect(attemptFromLabels(labels)).toEqual(L);
    expect(gpusFromLabels(labels)).toEqual(['0', 'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50']);
    expect(gpusFromLabels(asDockerLabels(labelArgs(L, [])))).toEqual([]);
  });

  it('property: any valid attempt round-trips', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,30}$/);
    fc.assert(
      fc.property(
        token,
        token,
        fc.integer({ min: 1, max: 1_000_000 }),
        token,
        token,
        (build, step, attempt, worker, host) => {
          const a = { build, step, attempt, worker, host };
          expect(checkAttemptLabels(a)).toBeNull();
          expect(attemptFromLabels(asDockerLabels(labelArgs(a, ['1'])))).toEqual(a);
        },
      ),
    );
  });

  it('labels of a container that is not a complete attempt of ours read as null', () => {
    const full = asDockerLabels(labelArgs(L, ['0']));
    expect(attemptFromLabels({})).toBeNull();
    expect(attemptFromLabels({ ...full, 'trt-orchestrator': '0' })).toBeNull();
    expect(attemptFromLabels({ ...full, 'trt-orchestrator.attempt': '2x' })).toBeNull();
    expect(attemptFromLabels({ ...full, 'trt-orchestrator.attempt': '0' })).toBeNull();
    expect(attemptFromLabels({ ...full, 'trt-orchestrator.host': 'a b' })).toBeNull();
    const { 'trt-orchestrator.step': _drop, ...noStep } = full;
    expect(attemptFromLabels(noStep)).toBeNull();
  });

  it('device ids in the gpus label that are not device ids are dropped', () => {
    expect(gpusFromLabels({ 'trt-orchestrator.gpus': '0+all+1+../x' })).toEqual(['0', '1']);
  });

  it('label values are tokens: nothing that would break `--filter label=k=v` or a log line', () => {
    for (const ok of ['a', 'b0-1', 'host.example.com', 'w@h:1+2']) expect(isLabelValue(ok)).toBe(true);
    for (const bad of ['', '-a', 'a,b', 'a=b', 'a b', 'a\nb', 'a/b', 'x'.repeat(201), 'é'])
      expect(isLabelValue(bad)).toBe(false);
    expect(checkAttemptLabels({ ...L, build: 'a,b' })).toBe(
      'attempt label build "a,b" must be 1-200 characters of [A-Za-z0-9_.:@+-], starting with a letter or digit',
    );
    expect(checkAttemptLabels({ ...L, attempt: Number.NaN })).toBe(
      'attempt label attempt must be a whole number ≥ 1 (got NaN)',
    );
  });
});
