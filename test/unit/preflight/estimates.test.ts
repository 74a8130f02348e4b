import { describe, expect, it } from 'vitest';
import { diskNeedFromCheckpoint, diskNeeds, diskShortfall } from '../../../orchestrator/preflight/estimates.js';
import { weightBytes } from '../../../orchestrator/preflight/memory-model.js';
import { facts, settingsFor } from './helpers.js';

describe('disk needs', () => {
  it('v1: checkpoint + converted + engine in the chosen format; v2 without quantization: the checkpoint only', () => {
    const f = facts('meta-llama__Llama-3.1-8B-Instruct');
    const fp8 = diskNeeds(f, settingsFor({ quant: 'fp8' }), null);
    expect(fp8).toEqual({
      checkpointBytes: 16_060_522_496,
      convertedBytes: weightBytes(f, 'fp8'),
      engineBytes: weightBytes(f, 'fp8'),
      totalBytes: 16_060_522_496 + 2 * weightBytes(f, 'fp8'),
    });
    expect(diskNeeds(f, settingsFor({ v2: true }), 100)).toEqual({
      checkpointBytes: 100,
      convertedBytes: 0,
      engineBytes: 0,
      totalBytes: 100,
    });
  });

  it('the worker estimate from the resolved size stays at or above the model-based one (FP8 Llama-8B)', () => {
    const f = facts('meta-llama__Llama-3.1-8B-Instruct');
    const plan = { stack: 'v1' as const, steps: [{ kind: 'fetch' }, { kind: 'quantize' }, { kind: 'engine_build' }] };
    expect(diskNeedFromCheckpoint(16_060_522_496, plan, 'fp8')).toBeGreaterThanOrEqual(
      diskNeeds(f, settingsFor({ quant: 'fp8' }), null).totalBytes,
    );
    expect(diskNeedFromCheckpoint(-5, plan, 'bf16')).toBe(0);
  });

  it('diskShortfall says how much is needed and what is free', () => {
    expect(diskShortfall(10, 10)).toBeNull();
    expect(diskShortfall(50e9, 20e9)).toMatch(/needs about 50\.0 GB .* has 20\.0 GB free/);
  });
});
