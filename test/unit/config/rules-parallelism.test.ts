// parallelismRules: exact findings on each side of every boundary, every branch (TP, PP, SP, MoE,
// nodes, v2 TP, FP8 builder GPUs).
import { describe, it } from 'vitest';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const TP = 'trt_llm.build.tensor_parallel_count';
const PP = 'trt_llm.build.pipeline_parallel_count';
const SP = 'trt_llm.build.sequence_parallel_count';
const MOE = 'trt_llm.build.moe_expert_parallel_option';
const on = (accelerator: string, build: Json = {}): Json => ({ resources: { accelerator }, trt_llm: { build } });
const v2 = (accelerator: string, runtime: Json, nodeCount?: number): Json => ({
  resources: { accelerator, ...(nodeCount === undefined ? {} : { node_count: nodeCount }) },
  trt_llm: { runtime },
});

const ROWS: Row[] = [
  // world size = TP × PP × SP against the GPU count
  { name: 'one GPU, nothing written', doc: on('H100'), expect: [] },
  {
    name: 'two GPUs, no parallelism written: points at the build mapping',
    doc: on('H100:2'),
    expect: [
      [
        'WORLD_SIZE_MISMATCH',
        'error',
        TP,
        '= 1 × 1 × 1 = 1, but resources.accelerator has 2 GPU(s); make them equal (e.g. accelerator H100:1 or tensor_parallel_count 2)',
      ],
    ],
  },
  { name: 'TP equal to the GPUs', doc: on('H100:2', { tensor_parallel_count: 2 }), expect: [] },
  {
    name: 'TP one below the GPUs',
    doc: on('H100:4', { tensor_parallel_count: 2 }),
    expect: [
      [
        'WORLD_SIZE_MISMATCH',
        'error',
        TP,
        '= 2 × 1 × 1 = 2, but resources.accelerator has 4 GPU(s); make them equal (e.g. accelerator H100:2 or tensor_parallel_count 4)',
      ],
    ],
  },
  {
    name: 'TP above the GPUs',
    doc: on('H100:2', { tensor_parallel_count: 4 }),
    expect: [['WORLD_SIZE_MISMATCH', 'error', TP, '4 × 1 × 1 = 4']],
  },
  {
    name: 'TP 1 written on 2 GPUs points at TP',
    doc: on('H100:2', { tensor_parallel_count: 1 }),
    expect: [['WORLD_SIZE_MISMATCH', 'error', TP, 'tensor_parallel_count 2)']],
  },
  { name: 'pipeline parallelism matching', doc: on('H100:8', { pipeline_parallel_count: 8 }), expect: [] },
  {
    name: 'pipeline parallelism: TP 1 written, PP is the culprit, fix divides',
    doc: on('H100:8', { tensor_parallel_count: 1, pipeline_parallel_count: 2 }),
    expect: [
      [
        'WORLD_SIZE_MISMATCH',
        'error',
        PP,
        '1 × 2 × 1 = 2, but resources.accelerator has 8 GPU(s); make them equal (e.g. accelerator H100:2 or tensor_parallel_count 4)',
      ],
    ],
  },
  {
    name: 'pipeline parallelism: fix does not divide',
    doc: on('H100:3', { pipeline_parallel_count: 2 }),
    expect: [
      [
        'WORLD_SIZE_MISMATCH',
        'error',
        PP,
        'accelerator H100:2 or pipeline_parallel_count 1, sequence_parallel_count 1 and tensor_parallel_count 3)',
      ],
    ],
  },
  {
    name: 'sequence parallelism matching',
    doc: on('H100:4', { tensor_parallel_count: 2, sequence_parallel_count: 2 }),
    expect: [],
  },
  {
    name: 'sequence parallelism is the culprit',
    doc: on('H100:4', { sequence_parallel_count: 2 }),
    expect: [
      [
        'WORLD_SIZE_MISMATCH',
        'error',
        SP,
        '1 × 1 × 2 = 2, but resources.accelerator has 4 GPU(s); make them equal (e.g. accelerator H100:2 or tensor_parallel_count 2)',
      ],
    ],
  },
  {
    name: 'all three factors',
    doc: on('H100:8', { tensor_parallel_count: 2, pipeline_parallel_count: 2, sequence_parallel_count: 2 }),
    expect: [],
  },
  {
    name: 'all three written as 1 on 2 GPUs: TP first',
    doc: on('H100:2', { sequence_parallel_count: 1, pipeline_parallel_count: 1, tensor_parallel_count: 1 }),
    expect: [['WORLD_SIZE_MISMATCH', 'error', TP]],
  },
  {
    name: 'only PP 1 written on 2 GPUs points at PP',
    doc: on('H100:2', { pipeline_parallel_count: 1 }),
    expect: [['WORLD_SIZE_MISMATCH', 'error', PP, 'tensor_parallel_count 2)']],
  },
  {
    name: 'v2 with an unknown accelerator: only that error',
    base: BASE_V2,
    doc: { resources: { accelerator: 'H1000' } },
    expect: [['ACCELERATOR_TYPE_UNKNOWN', 'error', 'resources.accelerator']],
  },
  // usual world sizes: powers of two up to 128 are quiet, anything else warns
  {
    name: 'world size 3 is unusual',
    doc: on('H100:3', { tensor_parallel_count: 3 }),
    expect: [
      [
        'WORLD_SIZE_UNUSUAL',
        'warning',
        TP,
        'world size 3 is unusual; typical world sizes are powers of two (1, 2, 4, 8)',
      ],
    ],
  },
  {
    name: 'world size 6 is unusual',
    doc: on('H100:6', { tensor_parallel_count: 6 }),
    expect: [['WORLD_SIZE_UNUSUAL', 'warning', TP, 'world size 6']],
  },
  ...[16, 32, 64, 128].map(
    (tp): Row => ({
      name: `world size ${tp} is usual (only the mismatch)`,
      doc: on('H100:8', { tensor_parallel_count: tp }),
      expect: [['WORLD_SIZE_MISMATCH', 'error', TP, `${tp} × 1 × 1 = ${tp}`]],
    }),
  ),
  {
    name: 'world size 256 is unusual',
    doc: on('H100:8', { tensor_parallel_count: 256 }),
    expect: [
      ['WORLD_SIZE_MISMATCH', 'error', TP],
      ['WORLD_SIZE_UNUSUAL', 'warning', TP, 'world size 256'],
    ],
  },
  // MoE expert parallelism (decoder only)
  { name: 'MoE automatic', doc: on('H100', { moe_expert_parallel_option: -1 }), expect: [] },
  {
    name: 'MoE 0 is invalid',
    doc: on('H100', { moe_expert_parallel_option: 0 }),
    expect: [['MOE_EXPERT_PARALLEL_INVALID', 'error', MOE, 'must be -1 (automatic) or a positive number (got 0)']],
  },
  {
    name: 'MoE -2 is invalid',
    doc: on('H100', { moe_expert_parallel_option: -2 }),
    expect: [['MOE_EXPERT_PARALLEL_INVALID', 'error', MOE, '(got -2)']],
  },
  {
    name: 'MoE equal to TP',
    doc: on('H100:2', { tensor_parallel_count: 2, moe_expert_parallel_option: 2 }),
    expect: [],
  },
  { name: 'MoE 1', doc: on('H100', { moe_expert_parallel_option: 1 }), expect: [] },
  {
    name: 'MoE one above TP',
    doc: on('H100:2', { tensor_parallel_count: 2, moe_expert_parallel_option: 3 }),
    expect: [
      [
        'MOE_EXPERT_PARALLEL_TOO_LARGE',
        'error',
        MOE,
        'moe_expert_parallel_option 3 cannot be greater than tensor_parallel_count 2',
      ],
    ],
  },
  {
    name: 'MoE not a divisor of TP',
    doc: on('H100:4', { tensor_parallel_count: 4, moe_expert_parallel_option: 3 }),
    expect: [
      [
        'MOE_EXPERT_PARALLEL_NOT_DIVISOR',
        'warning',
        MOE,
        'tensor_parallel_count 4 is not divisible by moe_expert_parallel_option 3; this may be slow',
      ],
    ],
  },
  {
    name: 'MoE a divisor of TP',
    doc: on('H100:4', { tensor_parallel_count: 4, moe_expert_parallel_option: 2 }),
    expect: [],
  },
  {
    name: 'MoE option is not checked for encoders',
    doc: on('H100', { base_model: 'encoder', moe_expert_parallel_option: 0 }),
    expect: [],
  },
  // nodes
  { name: 'v1 one node', doc: { resources: { node_count: 1 } }, expect: [] },
  {
    name: 'v1 two nodes',
    doc: { resources: { node_count: 2 } },
    expect: [
      [
        'MULTI_NODE_REQUIRES_V2',
        'error',
        'resources.node_count',
        'node_count 2 needs inference_stack v2; the v1 engine stack runs on one node',
      ],
    ],
  },
  // v2: tensor_parallel_size = GPUs × nodes
  { name: 'v2 TP equal', base: BASE_V2, doc: v2('H100:4', { tensor_parallel_size: 4 }), expect: [] },
  {
    name: 'v2 TP left at 1 on 4 GPUs',
    base: BASE_V2,
    doc: v2('H100:4', {}),
    expect: [
      [
        'V2_TENSOR_PARALLEL_MISMATCH',
        'error',
        'trt_llm.runtime.tensor_parallel_size',
        'runtime.tensor_parallel_size 1 must equal the GPU count 4 (H100:4); set tensor_parallel_size: 4',
      ],
    ],
  },
  {
    name: 'v2 TP written, below',
    base: BASE_V2,
    doc: v2('H100:4', { tensor_parallel_size: 2 }),
    expect: [
      [
        'V2_TENSOR_PARALLEL_MISMATCH',
        'error',
        'trt_llm.runtime.tensor_parallel_size',
        'tensor_parallel_size 2 must equal the GPU count 4',
      ],
    ],
  },
  {
    name: 'v2 two nodes count both',
    base: BASE_V2,
    doc: v2('H100:4', { tensor_parallel_size: 4 }, 2),
    expect: [
      [
        'V2_TENSOR_PARALLEL_MISMATCH',
        'error',
        'trt_llm.runtime.tensor_parallel_size',
        'must equal the GPU count 8 (H100:4 × 2 nodes); set tensor_parallel_size: 8',
      ],
    ],
  },
  { name: 'v2 two nodes matching', base: BASE_V2, doc: v2('H100:4', { tensor_parallel_size: 8 }, 2), expect: [] },
  { name: 'v2 ignores v1 world-size rules', base: BASE_V2, doc: v2('H100', {}, 1), expect: [] },
  // FP8 calibration needs num_builder_gpus
  {
    name: 'fp8 without builder GPUs',
    doc: on('H100', { quantization_type: 'fp8' }),
    expect: [
      [
        'FP8_WITHOUT_NUM_BUILDER_GPUS',
        'warning',
        'trt_llm.build.quantization_type',
        'set build.num_builder_gpus to avoid OOM',
      ],
    ],
  },
  {
    name: 'fp8_kv without builder GPUs',
    doc: on('H100', { quantization_type: 'fp8_kv' }),
    expect: [['FP8_WITHOUT_NUM_BUILDER_GPUS', 'warning', 'trt_llm.build.quantization_type']],
  },
  { name: 'fp8 with builder GPUs', doc: on('H100', { quantization_type: 'fp8', num_builder_gpus: 1 }), expect: [] },
  { name: 'no_quant needs no builder GPUs', doc: on('H100', { quantization_type: 'no_quant' }), expect: [] },
  { name: 'fp4 is not FP8 calibration', doc: on('B200', { quantization_type: 'fp4' }), expect: [] },
];

describe('parallelism rules: exact findings', () => {
  it.each(ROWS)('$name', (row) => {
    expectExactly(row);
  });
});
