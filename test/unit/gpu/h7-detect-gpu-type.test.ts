// detectGpuType: word-boundary matching of nvidia-smi names, the longest pattern wins, and the
// memory size (60 GiB boundary) separates the 40 GB and 80 GB A100/H100 parts.
import { describe, expect, it } from 'vitest';
import { detectGpuType } from '../../../orchestrator/gpu/detect-gpu-type.js';

const BOUNDARY_MIB = 60 * 1024; // 61440

describe('detectGpuType (h7)', () => {
  it('any run of whitespace in the name counts as one space', () => {
    expect(detectGpuType('NVIDIA  RTX   PRO 6000 Blackwell Server Edition')).toBe('RTX_PRO_6000');
    expect(detectGpuType('NVIDIA\tH100\t80GB HBM3', BOUNDARY_MIB)).toBe('H100');
    expect(detectGpuType('Tesla \n T4')).toBe('T4');
    expect(detectGpuType('  NVIDIA L4  ')).toBe('L4');
  });

  it('matches case-insensitively and at either end of the name', () => {
    expect(detectGpuType('nvidia h200')).toBe('H200');
    expect(detectGpuType('T4')).toBe('T4');
    expect(detectGpuType('L4')).toBe('L4');
    expect(detectGpuType('H100')).toBe('H100');
    expect(detectGpuType('B200 (NVIDIA)')).toBe('B200');
  });

  it('a pattern needs a non-word character (or the end) on both sides', () => {
    expect(detectGpuType('NVIDIA L40')).toBeUndefined(); // ' l4' followed by a digit
    expect(detectGpuType('NVIDIA T400')).toBeUndefined(); // ' t4' followed by digits
    expect(detectGpuType('NVIDIA L4X')).toBeUndefined(); // ' l4' followed by a letter
    expect(detectGpuType('NVIDIA GH200 480GB')).toBeUndefined(); // 'h200' preceded by a letter
    expect(detectGpuType('NVIDIA 9B200')).toBeUndefined(); // 'b200' preceded by a digit
    expect(detectGpuType('NVIDIA A10GX')).toBeUndefined(); // 'a10g' followed by a letter
    expect(detectGpuType('NVIDIA L4-PCIe')).toBe('L4'); // '-' is not a word character
    expect(detectGpuType('NVIDIA(H200)')).toBe('H200');
  });

  it('a failed first occurrence does not hide a later one on a boundary', () => {
    expect(detectGpuType('NVIDIA XH200 H200')).toBe('H200');
    expect(detectGpuType('NVIDIA H2000 H200')).toBe('H200');
  });

  it('the longest matching pattern decides; a tie keeps the earlier catalog entry', () => {
    expect(detectGpuType('NVIDIA A100-SXM4-80GB')).toBe('A100'); // not 'a100' → A100_40GB
    expect(detectGpuType('NVIDIA H100 40GB')).toBe('H100_40GB'); // not 'h100' → H100
    // ' t4' (T4) and ' l4' (L4) are both 3 long: T4 comes first in the catalog
    expect(detectGpuType('NVIDIA T4 L4')).toBe('T4');
    expect(detectGpuType('NVIDIA L4 T4')).toBe('T4');
  });

  it.each([
    ['NVIDIA A100-SXM4-80GB', BOUNDARY_MIB, 'A100'],
    ['NVIDIA A100-SXM4-80GB', BOUNDARY_MIB - 1, 'A100_40GB'],
    ['NVIDIA A100-SXM4-40GB', BOUNDARY_MIB, 'A100'],
    ['NVIDIA A100-SXM4-40GB', BOUNDARY_MIB - 1, 'A100_40GB'],
    ['NVIDIA A100-PCIE-40GB', 81920, 'A100'],
    ['NVIDIA A100 80GB PCIe', 40960, 'A100_40GB'],
    ['NVIDIA H100 80GB HBM3', BOUNDARY_MIB, 'H100'],
    ['NVIDIA H100 80GB HBM3', BOUNDARY_MIB - 1, 'H100_40GB'],
    ['NVIDIA H100 40GB', BOUNDARY_MIB, 'H100'],
    ['NVIDIA H100 40GB', BOUNDARY_MIB - 1, 'H100_40GB'],
    ['NVIDIA H100 PCIe', 0, 'H100_40GB'],
  ] as const)('%s with %i MiB is %s', (name, mib, type) => {
    expect(detectGpuType(name, mib)).toBe(type);
  });

  it('memory never changes a type outside the A100/H100 families', () => {
    expect(detectGpuType('NVIDIA H200', 1024)).toBe('H200');
    expect(detectGpuType('NVIDIA L4', 81920)).toBe('L4');
    expect(detectGpuType('NVIDIA L40S', BOUNDARY_MIB - 1)).toBe('L40S');
    expect(detectGpuType('NVIDIA B200', 0)).toBe('B200');
    expect(detectGpuType('Tesla V100-SXM2-32GB', 32768)).toBe('V100');
  });

  it('without a memory figure the name decides, and null is the default', () => {
    expect(detectGpuType('NVIDIA A100-SXM4-80GB', null)).toBe('A100');
    expect(detectGpuType('NVIDIA A100-SXM4-40GB', null)).toBe('A100_40GB');
    expect(detectGpuType('NVIDIA H100 40GB', null)).toBe('H100_40GB');
    expect(detectGpuType('NVIDIA H100 PCIe')).toBe('H100');
  });

  it('an unknown or empty name is undefined, with or without memory', () => {
    expect(detectGpuType('')).toBeUndefined();
    expect(detectGpuType('   ')).toBeUndefined();
    expect(detectGpuType('NVIDIA GeForce GTX 1080', 8192)).toBeUndefined();
  });
});
