/**
 * The GPU catalog: every accelerator type Truss knows (`resources.accelerator`), with the facts the
 * validator, planner and workers need. SM ids and precision rules follow
 * `../shared/reference/trtllm-cli-surface.json` (`gpu_matrix`); names as `nvidia-smi` prints them
 * let a worker map its devices to catalog types.
 */

/** Accelerator type names exactly as Truss spells them in `resources.accelerator`. */
export const GPU_TYPES = [
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
] as const;
export type GpuType = (typeof GPU_TYPES)[number];

export type GpuArch = 'Volta' | 'Turing' | 'Ampere' | 'Ada' | 'Hopper' | 'Blackwell';

export interface GpuInfo {
  readonly type: GpuType;
  /** Compute capability as an integer, e.g. 90 for SM 9.0. */
  readonly sm: number;
  readonly arch: GpuArch;
  /** Device memory per GPU in GiB: nvidia-smi's memory.total rounded down to 0.1 where a sample exists (not the marketed GB). */
  readonly memoryGiB: number;
  /** TensorRT-LLM still supports this GPU (T4 dropped in 0.14, V100 earlier). */
  readonly trtLlmSupported: boolean;
  /**
   * Lower-cased substrings of the `name` column of `nvidia-smi --query-gpu=name`, most specific
   * first, e.g. "h100 80gb hbm3" → H100. Matching (on word boundaries) is done by `detectGpuType`.
   */
  readonly nvidiaSmiNames: readonly string[];
}

const CATALOG: Readonly<Record<GpuType, GpuInfo>> = {
  T4: {
    type: 'T4',
    sm: 75,
    arch: 'Turing',
    memoryGiB: 15,
    trtLlmSupported: false,
    nvidiaSmiNames: ['tesla t4', ' t4'],
  },
  V100: { type: 'V100', sm: 70, arch: 'Volta', memoryGiB: 16, trtLlmSupported: false, nvidiaSmiNames: ['v100'] },
  A10G: { type: 'A10G', sm: 86, arch: 'Ampere', memoryGiB: 22.4, trtLlmSupported: true, nvidiaSmiNames: ['a10g'] },
  A100: {
    type: 'A100',
    sm: 80,
    arch: 'Ampere',
    memoryGiB: 80,
    trtLlmSupported: true,
    nvidiaSmiNames: ['a100-sxm4-80gb', 'a100 80gb', 'a100-pcie-80gb', 'a100 80'],
  },
  A100_40GB: {
    type: 'A100_40GB',
    sm: 80,
    arch: 'Ampere',
    memoryGiB: 40,
    trtLlmSupported: true,
    nvidiaSmiNames: ['a100-sxm4-40gb', 'a100-pcie-40gb', 'a100 40gb', 'a100'],
  },
  L4: { type: 'L4', sm: 89, arch: 'Ada', memoryGiB: 22.4, trtLlmSupported: true, nvidiaSmiNames: [' l4'] },
  L40S: { type: 'L40S', sm: 89, arch: 'Ada', memoryGiB: 44.9, trtLlmSupported: true, nvidiaSmiNames: ['l40s'] },
  H100: {
    type: 'H100',
    sm: 90,
    arch: 'Hopper',
    memoryGiB: 79.6,
    trtLlmSupported: true,
    nvidiaSmiNames: ['h100 80gb', 'h100 nvl', 'h100 pcie', 'h100'],
  },
  H100_40GB: {
    type: 'H100_40GB',
    sm: 90,
    arch: 'Hopper',
    memoryGiB: 40,
    trtLlmSupported: true,
    nvidiaSmiNames: ['h100 40gb', 'h100 mig 3g.40gb', '3g.40gb'],
  },
  H200: { type: 'H200', sm: 90, arch: 'Hopper', memoryGiB: 140.4, trtLlmSupported: true, nvidiaSmiNames: ['h200'] },
  B200: { type: 'B200', sm: 100, arch: 'Blackwell', memoryGiB: 179, trtLlmSupported: true, nvidiaSmiNames: ['b200'] },
  B300: { type: 'B300', sm: 103, arch: 'Blackwell', memoryGiB: 270, trtLlmSupported: true, nvidiaSmiNames: ['b300'] },
  GB300: {
    type: 'GB300',
    sm: 103,
    arch: 'Blackwell',
    memoryGiB: 270,
    trtLlmSupported: true,
    nvidiaSmiNames: ['gb300'],
  },
  RTX_PRO_6000: {
    type: 'RTX_PRO_6000',
    sm: 120,
    arch: 'Blackwell',
    memoryGiB: 96,
    trtLlmSupported: true,
    nvidiaSmiNames: ['rtx pro 6000'],
  },
  B10: {
    type: 'B10',
    sm: 121,
    arch: 'Blackwell',
    memoryGiB: 128,
    trtLlmSupported: true,
    nvidiaSmiNames: ['gb10', 'b10'],
  },
};

/** Minimum compute capability for each precision family (gpu_matrix.rules). */
export const PRECISION_MIN_SM = { fp8: 89, fp4: 100, bf16: 80, supported: 80 } as const;

/** Is `name` one of the catalog's accelerator types? */
export function isGpuType(name: string): name is GpuType {
  return Object.prototype.hasOwnProperty.call(CATALOG, name);
}

/** Facts about one catalog GPU type. */
export function gpuInfo(type: GpuType): GpuInfo {
  return CATALOG[type];
}

/** All catalog entries, in `GPU_TYPES` order. */
export function allGpus(): readonly GpuInfo[] {
  return GPU_TYPES.map((t) => CATALOG[t]);
}
