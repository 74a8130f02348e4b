// The GPU catalog's facts, entry by entry, checked against the reference GPU matrix
// (shared/reference/trtllm-cli.md §8): SM id, architecture, TRT-LLM support, memory and the
// nvidia-smi name patterns a worker uses to map its devices to catalog types. Memory is what
// nvidia-smi reports as memory.total, in GiB rounded down to 0.1 (not the marketed GB figure),
// where a real sample exists; pre-flight's fit checks multiply it by 2^30.
import { describe, expect, it } from 'vitest';
import { GPU_TYPES, PRECISION_MIN_SM, allGpus, gpuInfo, isGpuType } from '../../../orchestrator/gpu/catalog.js';
import type { GpuInfo } from '../../../orchestrator/gpu/catalog.js';
import { detectGpuType } from '../../../orchestrator/gpu/detect-gpu-type.js';

const EXPECTED: readonly GpuInfo[] = [
  { type: 'T4', sm: 75, arch: 'Turing', memoryGiB: 15, trtLlmSupported: false, nvidiaSmiNames: ['tesla t4', ' t4'] },
  { type: 'L4', sm: 89, arch: 'Ada', memoryGiB: 22.4, trtLlmSupported: true, nvidiaSmiNames: [' l4'] },
  { type: 'A10G', sm: 86, arch: 'Ampere', memoryGiB: 22.4, trtLlmSupported: true, nvidiaSmiNames: ['a10g'] },
  { type: 'V100', sm: 70, arch: 'Volta', memoryGiB: 16, trtLlmSupported: false, nvidiaSmiNames: ['v100'] },
  {
    type: 'A100',
    sm: 80,
    arch: 'Ampere',
    memoryGiB: 80,
    trtLlmSupported: true,
    nvidiaSmiNames: ['a100-sxm4-80gb', 'a100 80gb', 'a100-pcie-80gb', 'a100 80'],
  },
  {
    type: 'A100_40GB',
    sm: 80,
    arch: 'Ampere',
    memoryGiB: 40,
    trtLlmSupported: true,
    nvidiaSmiNames: ['a100-sxm4-40gb', 'a100-pcie-40gb', 'a100 40gb', 'a100'],
  },
  {
    type: 'H100',
    sm: 90,
    arch: 'Hopper',
    memoryGiB: 79.6,
    trtLlmSupported: true,
    nvidiaSmiNames: ['h100 80gb', 'h100 nvl', 'h100 pcie', 'h100'],
  },
  {
    type: 'H100_40GB',
    sm: 90,
    arch: 'Hopper',
    memoryGiB: 40,
    trtLlmSupported: true,
    nvidiaSmiNames: ['h100 40gb', 'h100 mig 3g.40gb', '3g.40gb'],
  },
  { type: 'H200', sm: 90, arch: 'Hopper', memoryGiB: 140.4, trtLlmSupported: true, nvidiaSmiNames: ['h200'] },
  { type: 'L40S', sm: 89, arch: 'Ada', memoryGiB: 44.9, trtLlmSupported: true, nvidiaSmiNames: ['l40s'] },
  { type: 'B200', sm: 100, arch: 'Blackwell', memoryGiB: 179, trtLlmSupported: true, nvidiaSmiNames: ['b200'] },
  { type: 'B300', sm: 103, arch: 'Blackwell', memoryGiB: 270, trtLlmSupported: true, nvidiaSmiNames: ['b300'] },
  { type: 'GB300', sm: 103, arch: 'Blackwell', memoryGiB: 270, trtLlmSupported: true, nvidiaSmiNames: ['gb300'] },
  {
    type: 'RTX_PRO_6000',
    sm: 120,
    arch: 'Blackwell',
    memoryGiB: 96,
    trtLlmSupported: true,
    nvidiaSmiNames: ['rtx pro 6000'],
  },
  { type: 'B10', sm: 121, arch: 'Blackwell', memoryGiB: 128, trtLlmSupported: true, nvidiaSmiNames: ['gb10', 'b10'] },
];

describe('gpu catalog facts (h7)', () => {
  it('lists the 15 Truss accelerator types in GPU_TYPES order', () => {
    expect(GPU_TYPES).toEqual([
      'T4',
      'L4',
      'A10G',
      'V100',
      'A100',
      'A100_40GB',
      'H100',
      'H100_40GB',
      'H200',
      'L40S',
      'B200',
      'B300',
      'GB300',
      'RTX_PRO_6000',
      'B10',
    ]);
    expect(allGpus().map((g) => g.type)).toEqual([...GPU_TYPES]);
  });

  it('holds exactly the reference facts for every entry', () => {
    expect(allGpus()).toEqual(EXPECTED);
  });

  it.each(EXPECTED.map((e) => [e.type, e] as const))('gpuInfo(%s) is its own entry', (type, entry) => {
    expect(gpuInfo(type)).toEqual(entry);
    expect(gpuInfo(type).type).toBe(type);
  });

  it('SM ids follow the reference matrix (Turing 7.5 … Blackwell 12.1)', () => {
    const sm = Object.fromEntries(allGpus().map((g) => [g.type, g.sm]));
    expect(sm).toEqual({
      T4: 75,
      V100: 70,
      A10G: 86,
      A100: 80,
      A100_40GB: 80,
      L4: 89,
      L40S: 89,
      H100: 90,
      H100_40GB: 90,
      H200: 90,
      B200: 100,
      B300: 103,
      GB300: 103,
      RTX_PRO_6000: 120,
      B10: 121,
    });
  });

  it('only T4 and V100 are unsupported by TensorRT-LLM', () => {
    expect(
      allGpus()
        .filter((g) => !g.trtLlmSupported)
        .map((g) => g.type),
    ).toEqual(['T4', 'V100']);
  });

  it('precision minimum SMs: fp8 89, fp4 100, bf16 80, supported 80', () => {
    expect(PRECISION_MIN_SM).toEqual({ fp8: 89, fp4: 100, bf16: 80, supported: 80 });
  });

  it('isGpuType accepts exactly the catalog names (case-sensitive, no prototype keys)', () => {
    for (const t of GPU_TYPES) expect(isGpuType(t), t).toBe(true);
    for (const s of [
      'h100',
      'H100 ',
      'A100_80GB',
      'GB200',
      'GH200',
      'L40',
      'A10',
      '',
      'constructor',
      'hasOwnProperty',
      '__proto__',
    ])
      expect(isGpuType(s), s).toBe(false);
  });

  // Real `nvidia-smi --query-gpu=name,memory.total` rows (name, MiB) and the catalog type each must map to.
  it.each([
    ['Tesla T4', 15360, 'T4'],
    ['NVIDIA T4', 15360, 'T4'],
    ['NVIDIA L4', 23034, 'L4'],
    ['NVIDIA A10G', 23028, 'A10G'],
    ['Tesla V100-SXM2-16GB', 16384, 'V100'],
    ['Tesla V100-SXM2-32GB', 32768, 'V100'],
    ['NVIDIA A100-SXM4-80GB', 81920, 'A100'],
    ['NVIDIA A100 80GB PCIe', 81920, 'A100'],
    ['NVIDIA A100-PCIE-80GB', 81920, 'A100'],
    ['NVIDIA A100-SXM4-40GB', 40960, 'A100_40GB'],
    ['NVIDIA A100-PCIE-40GB', 40960, 'A100_40GB'],
    ['NVIDIA H100 80GB HBM3', 81559, 'H100'],
    ['NVIDIA H100 PCIe', 81559, 'H100'],
    ['NVIDIA H100 NVL', 95830, 'H100'],
    ['NVIDIA H200', 143771, 'H200'],
    ['NVIDIA L40S', 46068, 'L40S'],
    ['NVIDIA B200', 183359, 'B200'],
    ['NVIDIA B300 SXM6 AC', 275040, 'B300'],
    ['NVIDIA GB300', 284208, 'GB300'],
    ['NVIDIA RTX PRO 6000 Blackwell Server Edition', 97887, 'RTX_PRO_6000'],
    ['NVIDIA GB10', null, 'B10'],
  ] as const)('%s (%s MiB) is %s', (name, mib, type) => {
    expect(detectGpuType(name, mib)).toBe(type);
  });

  // Without a memory figure the name alone decides; each pattern is the deciding one in its row.
  it.each([
    ['Tesla T4', 'T4'], // 'tesla t4'
    ['NVIDIA T4', 'T4'], // ' t4'
    ['NVIDIA L4', 'L4'], // ' l4'
    ['NVIDIA A100-SXM4-80GB', 'A100'], // 'a100-sxm4-80gb'
    ['NVIDIA A100 80GB PCIe', 'A100'], // 'a100 80gb'
    ['NVIDIA A100-PCIE-80GB', 'A100'], // 'a100-pcie-80gb'
    ['NVIDIA A100 80 GB', 'A100'], // 'a100 80'
    ['NVIDIA A100-SXM4-40GB', 'A100_40GB'], // 'a100-sxm4-40gb'
    ['NVIDIA A100-PCIE-40GB', 'A100_40GB'], // 'a100-pcie-40gb'
    ['NVIDIA A100 40GB PCIe', 'A100_40GB'], // 'a100 40gb'
    ['NVIDIA A100', 'A100_40GB'], // 'a100'
    ['NVIDIA H100 80GB HBM3', 'H100'], // 'h100 80gb'
    ['NVIDIA H100 NVL', 'H100'], // 'h100 nvl'
    ['NVIDIA H100 PCIe', 'H100'], // 'h100 pcie'
    ['NVIDIA H100', 'H100'], // 'h100'
    ['NVIDIA H100 40GB', 'H100_40GB'], // 'h100 40gb'
    ['NVIDIA H100 PCIe H100 MIG 3g.40gb', 'H100_40GB'], // 'h100 mig 3g.40gb' outranks 'h100 pcie'
    ['NVIDIA H100 NVL 3g.40gb', 'H100'], // 'h100 nvl' (8) outranks '3g.40gb' (7)
    ['NVIDIA H100 3g.40gb', 'H100_40GB'], // '3g.40gb' (7) outranks 'h100' (4)
    ['NVIDIA GB300', 'GB300'], // 'gb300'
    ['NVIDIA B300', 'B300'], // 'b300'
    ['NVIDIA GB10', 'B10'], // 'gb10'
    ['NVIDIA B10', 'B10'], // 'b10'
    ['NVIDIA V100', 'V100'], // 'v100'
  ] as const)('name only: %s is %s', (name, type) => {
    expect(detectGpuType(name)).toBe(type);
  });

  it.each([
    ['NVIDIA GH200 480GB'],
    ['NVIDIA GB200'],
    ['NVIDIA L40'],
    ['NVIDIA T400'],
    ['NVIDIA A10'],
    ['NVIDIA A1000'],
    ['NVIDIA H800'],
    ['NVIDIA RTX 6000 Ada Generation'],
    ['NVIDIA GeForce RTX 4090'],
  ])('%s is not a catalog type', (name) => {
    expect(detectGpuType(name)).toBeUndefined();
    expect(detectGpuType(name, 81920)).toBeUndefined();
  });
});

describe('gpu catalog memory follows nvidia-smi, not the marketed figure', () => {
  // memory.total (MiB) from real `nvidia-smi --query-gpu=name,memory.total` rows.
  it.each([
    ['T4', 15360],
    ['A10G', 23028],
    ['L4', 23034],
    ['L40S', 46068],
    ['A100', 81920],
    ['A100_40GB', 40960],
    ['H100', 81559],
    ['H200', 143771],
    ['B200', 183359],
  ] as const)('%s: at most %i MiB and within 0.1 GiB of it', (type, mib) => {
    const gib = gpuInfo(type).memoryGiB;
    expect(gib).toBeLessThanOrEqual(mib / 1024);
    expect(gib).toBeGreaterThan(mib / 1024 - 0.1);
  });
});
