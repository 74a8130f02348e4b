// gpuRules, kvCacheRules, versionOverrideRules: exact findings, each alternative of each condition.
import { describe, it } from 'vitest';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const Q = 'trt_llm.build.quantization_type';
const ACC = 'resources.accelerator';
const gpu = (accelerator: string, build: Json = {}): Json => ({ resources: { accelerator }, trt_llm: { build } });
const q = (accelerator: string, quantization_type: string): Json =>
  gpu(accelerator, { quantization_type, num_builder_gpus: 1 });

const GPU_ROWS: Row[] = [
  {
    name: 'T4 decoder',
    doc: gpu('T4'),
    expect: [
      [
        'GPU_NOT_SUPPORTED',
        'error',
        ACC,
        'TensorRT-LLM does not support T4 (SM 7.5); the minimum is SM 8.0 (A100, A10G). Only base_model encoder_bert may run on T4/V100',
      ],
    ],
  },
  {
    name: 'V100 decoder',
    doc: gpu('V100'),
    expect: [['GPU_NOT_SUPPORTED', 'error', ACC, 'does not support V100 (SM 7.0)']],
  },
  {
    name: 'T4 encoder (not bert)',
    doc: gpu('T4', { base_model: 'encoder' }),
    expect: [['GPU_NOT_SUPPORTED', 'error', ACC]],
  },
  { name: 'T4 encoder_bert on v1', doc: gpu('T4', { base_model: 'encoder_bert' }), expect: [] },
  { name: 'T4 on v2', base: BASE_V2, doc: gpu('T4'), expect: [['GPU_NOT_SUPPORTED', 'error', ACC]] },
  {
    name: 'T4 encoder_bert on v2: the exemption is v1 only',
    base: BASE_V2,
    doc: gpu('T4', { base_model: 'encoder_bert' }),
    expect: [
      ['GPU_NOT_SUPPORTED', 'error', ACC, 'does not support T4'],
      ['V2_BUILD_FIELD_NOT_ALLOWED', 'error', 'trt_llm.build.base_model'],
    ],
  },
  {
    name: 'no accelerator: only ACCELERATOR_REQUIRED, no GPU finding',
    doc: { resources: { accelerator: undefined } },
    expect: [['ACCELERATOR_REQUIRED', 'error', 'resources', 'trt_llm needs a GPU', 'key']],
  },
  {
    name: 'an unknown accelerator: only its parse error',
    doc: gpu('Z999', { quantization_type: 'fp8', num_builder_gpus: 1 }),
    expect: [['ACCELERATOR_TYPE_UNKNOWN', 'error', ACC, 'unknown accelerator type "Z999"']],
  },
  {
    name: 'T4 given as instance_type points there',
    doc: { resources: { accelerator: undefined, instance_type: 'T4:4x16' } },
    expect: [['GPU_NOT_SUPPORTED', 'error', 'resources.instance_type', 'does not support T4']],
  },
  { name: 'A100 decoder (SM 8.0)', doc: gpu('A100'), expect: [] },
  // FP8 family: SM >= 89
  {
    name: 'fp8 on A100 (SM 80)',
    doc: q('A100', 'fp8'),
    expect: [
      [
        'FP8_REQUIRES_SM89',
        'error',
        Q,
        'fp8 needs SM >= 8.9 (L4, L40S, H100, H100_40GB, H200 or Blackwell); A100 is SM 8.0. Use no_quant or a newer GPU',
      ],
    ],
  },
  {
    name: 'fp8_kv on A10G (SM 86)',
    doc: q('A10G', 'fp8_kv'),
    expect: [['FP8_REQUIRES_SM89', 'error', Q, 'fp8_kv needs SM >= 8.9']],
  },
  { name: 'fp8 on L4 (SM 89, boundary)', doc: q('L4', 'fp8'), expect: [] },
  { name: 'fp8_kv on H100', doc: q('H100', 'fp8_kv'), expect: [] },
  {
    name: 'fp8 on V100: both findings',
    doc: q('V100', 'fp8'),
    expect: [
      ['GPU_NOT_SUPPORTED', 'error', ACC],
      ['FP8_REQUIRES_SM89', 'error', Q, 'V100 is SM 7.0'],
    ],
  },
  // FP4 family: SM >= 100
  {
    name: 'fp4 on H200 (SM 90): suggests fp8 as is',
    doc: q('H200', 'fp4'),
    expect: [
      [
        'FP4_REQUIRES_SM100',
        'error',
        Q,
        'fp4 needs a Blackwell GPU (SM >= 10.0: B200, B300, GB300, RTX_PRO_6000, B10); H200 is SM 9.0. Use fp8 or no_quant',
      ],
    ],
  },
  {
    name: 'fp4 on L4 (SM 89): fp8 still fits',
    doc: q('L4', 'fp4'),
    expect: [['FP4_REQUIRES_SM100', 'error', Q, 'L4 is SM 8.9. Use fp8 or no_quant']],
  },
  {
    name: 'fp4_kv on A100: fp8 needs a newer GPU too',
    doc: q('A100', 'fp4_kv'),
    expect: [
      [
        'FP4_REQUIRES_SM100',
        'error',
        Q,
        'fp4_kv needs a Blackwell GPU (SM >= 10.0: B200, B300, GB300, RTX_PRO_6000, B10); A100 is SM 8.0. Use fp8 on an SM >= 8.9 GPU or no_quant',
      ],
    ],
  },
  {
    name: 'fp4_mlp_only on H100',
    doc: q('H100', 'fp4_mlp_only'),
    expect: [['FP4_REQUIRES_SM100', 'error', Q, 'fp4_mlp_only needs a Blackwell GPU']],
  },
  { name: 'fp4 on B200 (SM 100, boundary)', doc: q('B200', 'fp4'), expect: [] },
  { name: 'fp4_kv on B10 (SM 121)', doc: q('B10', 'fp4_kv'), expect: [] },
  { name: 'no_quant on A10G', doc: q('A10G', 'no_quant'), expect: [] },
];

const PLUGINS = 'trt_llm.build.plugin_configuration';
const CHUNKED = 'trt_llm.runtime.enable_chunked_context';
const kv = (plugins: Json, runtime: Json = {}, build: Json = {}): Json => ({
  trt_llm: { build: { plugin_configuration: plugins, ...(build as Record<string, Json>) }, runtime },
});

const KV_ROWS: Row[] = [
  { name: 'defaults: both plugins on, chunked context on', doc: kv({}), expect: [] },
  {
    name: 'paged FMHA without paged KV (chunked off)',
    doc: kv({ paged_kv_cache: false }, { enable_chunked_context: false }),
    expect: [
      [
        'PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE',
        'error',
        `${PLUGINS}.use_paged_context_fmha`,
        'use_paged_context_fmha requires paged_kv_cache; set paged_kv_cache: true or use_paged_context_fmha: false',
      ],
    ],
  },
  {
    name: 'both plugins off, chunked off',
    doc: kv({ paged_kv_cache: false, use_paged_context_fmha: false }, { enable_chunked_context: false }),
    expect: [],
  },
  {
    name: 'chunked (default) without paged FMHA: points at the runtime key',
    doc: kv({ use_paged_context_fmha: false }),
    expect: [
      [
        'CHUNKED_CONTEXT_REQUIRES_PAGED_FMHA',
        'error',
        CHUNKED,
        'enable_chunked_context (default true) needs plugin_configuration.paged_kv_cache and use_paged_context_fmha set to true',
      ],
    ],
  },
  {
    name: 'chunked written true without paged KV',
    doc: kv({ paged_kv_cache: false, use_paged_context_fmha: false }, { enable_chunked_context: true }),
    expect: [['CHUNKED_CONTEXT_REQUIRES_PAGED_FMHA', 'error', CHUNKED]],
  },
  {
    name: 'chunked without paged KV, FMHA on: both',
    doc: kv({ paged_kv_cache: false }),
    expect: [
      ['PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE', 'error', `${PLUGINS}.use_paged_context_fmha`],
      ['CHUNKED_CONTEXT_REQUIRES_PAGED_FMHA', 'error', CHUNKED],
    ],
  },
  {
    name: 'v2 has no v1 plugin rules (paged KV off is only a v2 allow-list finding)',
    base: BASE_V2,
    doc: kv({ paged_kv_cache: false }),
    expect: [['V2_BUILD_FIELD_NOT_ALLOWED', 'error', `${PLUGINS}`]],
  },
  { name: 'encoders are exempt', doc: kv({ paged_kv_cache: false }, {}, { base_model: 'encoder' }), expect: [] },
  {
    name: 'encoder_bert: FMHA rule applies, chunked rule does not',
    doc: kv({ paged_kv_cache: false }, {}, { base_model: 'encoder_bert' }),
    expect: [['PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE', 'error', `${PLUGINS}.use_paged_context_fmha`]],
  },
];

const VO = 'trt_llm.version_overrides';
const vo = (overrides: Json): Json => ({ trt_llm: { version_overrides: overrides } });
const VERSION_ROWS: Row[] = [
  ...['engine_builder_version', 'briton_version', 'bei_version', 'bei_bert_version'].flatMap((key): Row[] => [
    {
      name: `${key} starting with a letter`,
      doc: vo({ [key]: 'v1.2.1' }),
      expect: [
        [
          'VERSION_OVERRIDE_INVALID',
          'error',
          `${VO}.${key}`,
          `${key} must start with a number, e.g. 0.20.0 (got "v1.2.1")`,
        ],
      ],
    },
    {
      name: `${key} with a digit later only`,
      doc: vo({ [key]: 'x9' }),
      expect: [['VERSION_OVERRIDE_INVALID', 'error', `${VO}.${key}`]],
    },
  ]),
  { name: 'briton 0.17.0', doc: vo({ briton_version: '0.17.0' }), expect: [] },
  { name: 'bei 9', doc: vo({ bei_version: '9' }), expect: [] },
  { name: 'bei_bert 1.0.0rc', doc: vo({ bei_bert_version: '1.0.0rc' }), expect: [] },
  { name: 'v2_llm_version is free-form', doc: vo({ v2_llm_version: 'trtllm-gpu-x' }), expect: [] },
  {
    name: 'a long bad value is cut to 60 characters',
    doc: vo({ briton_version: `v${'9'.repeat(70)}` }),
    expect: [['VERSION_OVERRIDE_INVALID', 'error', `${VO}.briton_version`, `(got "v${'9'.repeat(59)}")`]],
  },
];

describe('GPU rules: exact findings', () => {
  it.each(GPU_ROWS)('$name', (row) => {
    expectExactly(row);
  });
});
describe('KV cache rules: exact findings', () => {
  it.each(KV_ROWS)('$name', (row) => {
    expectExactly(row);
  });
});
describe('version override rules: exact findings', () => {
  it.each(VERSION_ROWS)('$name', (row) => {
    expectExactly(row);
  });
});
