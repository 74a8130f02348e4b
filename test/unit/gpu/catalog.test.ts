import { describe, expect, it } from 'vitest';
import { GPU_TYPES, gpuInfo, isGpuType } from '../../../orchestrator/gpu/catalog.js';
import { detectGpuType } from '../../../orchestrator/gpu/detect-gpu-type.js';

describe('gpu catalog', () => {
  it('knows every Truss accelerator type', () => {
    for (const t of [
      'B10',
      'T4',
      'L4',
      'A10G',
      'V100',
      'A100',
      'A100_40GB',
      'H100',
      'H200',
      'H100_40GB',
      'B200',
      'L40S',
      'RTX_PRO_6000',
      'B300',
      'GB300',
    ]) {
      expect(isGpuType(t), t).toBe(true);
    }
    expect(GPU_TYPES).toHaveLength(15);
    expect(isGpuType('H800')).toBe(false);
    expect(isGpuType('toString')).toBe(false);
  });

  it('records SM ids from the gpu_matrix', () => {
    expect(gpuInfo('H100').sm).toBe(90);
    expect(gpuInfo('L4').sm).toBe(89);
    expect(gpuInfo('A10G').sm).toBe(86);
    expect(gpuInfo('B200').sm).toBe(100);
  });

  it.each([
    ['NVIDIA H100 80GB HBM3', 'H100'],
    ['NVIDIA A100-SXM4-80GB', 'A100'],
    ['NVIDIA A100-SXM4-40GB', 'A100_40GB'],
    ['NVIDIA L4', 'L4'],
    ['NVIDIA L40S', 'L40S'],
    ['NVIDIA A10G', 'A10G'],
    ['NVIDIA H200', 'H200'],
    ['NVIDIA B200', 'B200'],
    ['Tesla T4', 'T4'],
    ['NVIDIA RTX PRO 6000 Blackwell Server Edition', 'RTX_PRO_6000'],
  ])('maps nvidia-smi name %s to %s', (name, type) => {
    expect(detectGpuType(name)).toBe(type);
  });

  it('returns undefined for an unknown device', () => {
    expect(detectGpuType('NVIDIA GeForce GTX 1080')).toBeUndefined();
    expect(detectGpuType('NVIDIA L40')).toBeUndefined();
  });
});
