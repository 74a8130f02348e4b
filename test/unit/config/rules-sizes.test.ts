// sizeRules: calibration bounds (B1), token budgets, KV fraction, total_token_limit, prompt vs
// max_num_tokens, encoder sizing (B8); a row on each side of every boundary, exact findings.
import { describe, expect, it } from 'vitest';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const B = 'trt_llm.build';
const QC = `${B}.quantization_config`;
const build = (b: Json): Json => ({ trt_llm: { build: b } });
const qc = (c: Json): Json => build({ quantization_config: c });
const rt = (r: Json): Json => ({ trt_llm: { runtime: r } });
const FP8 = { quantization_type: 'fp8', num_builder_gpus: 1 };

const calibRows = (key: 'calib_size' | 'calib_max_seq_length'): Row[] => {
  const up = key.toUpperCase();
  const path = `${QC}.${key}`;
  return [
    { name: `${key} 64 (lower bound)`, doc: qc({ [key]: 64 }), expect: [] },
    {
      name: `${key} 63`,
      doc: qc({ [key]: 63 }),
      expect: [[`${up}_OUT_OF_RANGE`, 'error', path, 'must be between 64 and 16384 (got 63); try 64']],
    },
    {
      name: `${key} 10 rounds up to the lower bound`,
      doc: qc({ [key]: 10 }),
      expect: [[`${up}_OUT_OF_RANGE`, 'error', path, '(got 10); try 64']],
    },
    { name: `${key} 16384 (upper bound)`, doc: qc({ [key]: 16384 }), expect: [] },
    {
      name: `${key} 16385`,
      doc: qc({ [key]: 16385 }),
      expect: [[`${up}_OUT_OF_RANGE`, 'error', path, '(got 16385); try 16384']],
    },
    {
      name: `${key} 20000 clamps to the upper bound`,
      doc: qc({ [key]: 20000 }),
      expect: [[`${up}_OUT_OF_RANGE`, 'error', path, '(got 20000); try 16384']],
    },
    {
      name: `${key} 1000 is not a multiple of 64`,
      doc: qc({ [key]: 1000 }),
      expect: [[`${up}_NOT_MULTIPLE_OF_64`, 'error', path, 'must be a multiple of 64 (got 1000); try 1024']],
    },
    {
      name: `${key} 1060 rounds to nearest (up)`,
      doc: qc({ [key]: 1060 }),
      expect: [[`${up}_NOT_MULTIPLE_OF_64`, 'error', path, '(got 1060); try 1088']],
    },
    {
      name: `${key} 1050 rounds to nearest (down)`,
      doc: qc({ [key]: 1050 }),
      expect: [[`${up}_NOT_MULTIPLE_OF_64`, 'error', path, '(got 1050); try 1024']],
    },
    {
      name: `${key} 65`,
      doc: qc({ [key]: 65 }),
      expect: [[`${up}_NOT_MULTIPLE_OF_64`, 'error', path, '(got 65); try 64']],
    },
    { name: `${key} 1024`, doc: qc({ [key]: 1024 }), expect: [] },
  ];
};

const CALIB_SEQ = `${QC}.calib_max_seq_length`;
const ROWS: Row[] = [
  ...calibRows('calib_size'),
  ...calibRows('calib_max_seq_length'),
  {
    name: 'both calibration values bad',
    doc: qc({ calib_size: 1000, calib_max_seq_length: 32 }),
    expect: [
      ['CALIB_SIZE_NOT_MULTIPLE_OF_64', 'error', `${QC}.calib_size`],
      ['CALIB_MAX_SEQ_LENGTH_OUT_OF_RANGE', 'error', CALIB_SEQ],
    ],
  },
  // calibration length vs max_seq_len (quantized builds only)
  {
    name: 'default calibration length above max_seq_len',
    doc: build({ ...FP8, max_seq_len: 1000, max_num_tokens: 1000 }),
    expect: [
      [
        'CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN',
        'warning',
        CALIB_SEQ,
        'calib_max_seq_length 1536 (the default) is above max_seq_len 1000; calibrating on sequences the engine never serves wastes time: set quantization_config.calib_max_seq_length to 960',
      ],
    ],
  },
  {
    name: 'written calibration length above max_seq_len',
    doc: build({
      ...FP8,
      max_seq_len: 1000,
      max_num_tokens: 1000,
      quantization_config: { calib_max_seq_length: 1024 },
    }),
    expect: [
      [
        'CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN',
        'warning',
        CALIB_SEQ,
        'calib_max_seq_length 1024 is above max_seq_len 1000;',
      ],
    ],
  },
  {
    name: 'calibration length equal to max_seq_len',
    doc: build({
      ...FP8,
      max_seq_len: 1024,
      max_num_tokens: 1024,
      quantization_config: { calib_max_seq_length: 1024 },
    }),
    expect: [],
  },
  {
    name: 'tiny max_seq_len suggests 64',
    doc: build({ ...FP8, max_seq_len: 100, max_num_tokens: 100 }),
    expect: [['CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN', 'warning', CALIB_SEQ, 'calib_max_seq_length to 64']],
  },
  {
    name: 'no quantization, no calibration warning',
    doc: build({ max_seq_len: 1000, max_num_tokens: 1000 }),
    expect: [],
  },
  { name: 'max_seq_len unset, no calibration warning', doc: build(FP8), expect: [] },
  {
    name: 'v2 reads max_seq_len from the runtime',
    base: BASE_V2,
    doc: { trt_llm: { build: FP8, runtime: { max_seq_len: 1000, max_num_tokens: 1000 } } },
    expect: [['CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN', 'warning', CALIB_SEQ, 'above max_seq_len 1000']],
  },
  // max_num_tokens vs max_seq_len × max_batch_size
  {
    name: 'tokens one above seq × batch',
    doc: build({ max_seq_len: 1024, max_batch_size: 4, max_num_tokens: 4097 }),
    expect: [
      [
        'MAX_NUM_TOKENS_ABOVE_SEQ_TIMES_BATCH',
        'warning',
        `${B}.max_num_tokens`,
        'max_num_tokens 4097 is above max_seq_len × max_batch_size = 1024 × 4 = 4096; it will be clipped to 4096',
      ],
    ],
  },
  {
    name: 'tokens equal to seq × batch',
    doc: build({ max_seq_len: 1024, max_batch_size: 4, max_num_tokens: 4096 }),
    expect: [],
  },
  {
    name: 'encoders are not clipped',
    doc: build({ base_model: 'encoder_bert', max_seq_len: 1024, max_batch_size: 4, max_num_tokens: 4097 }),
    expect: [],
  },
  {
    name: 'v2 tokens above seq × batch',
    base: BASE_V2,
    doc: rt({ max_seq_len: 100, max_batch_size: 1, max_num_tokens: 101 }),
    expect: [['MAX_NUM_TOKENS_ABOVE_SEQ_TIMES_BATCH', 'warning', 'trt_llm.runtime.max_num_tokens', '= 100 × 1 = 100']],
  },
  {
    name: 'v2 tokens equal to seq × batch',
    base: BASE_V2,
    doc: rt({ max_seq_len: 100, max_batch_size: 2, max_num_tokens: 200 }),
    expect: [],
  },
  {
    name: 'v2 with base_model encoder (refused) is still clipped: only v1 encoders are exempt',
    base: BASE_V2,
    doc: {
      trt_llm: {
        build: { base_model: 'encoder' },
        runtime: { max_seq_len: 100, max_batch_size: 1, max_num_tokens: 101 },
      },
    },
    expect: [
      ['V2_BUILD_FIELD_NOT_ALLOWED', 'error', `${B}.base_model`],
      ['MAX_NUM_TOKENS_ABOVE_SEQ_TIMES_BATCH', 'warning', 'trt_llm.runtime.max_num_tokens', '= 100 × 1 = 100'],
    ],
  },
  {
    name: 'v2 ignores the v1 build sizes',
    base: BASE_V2,
    doc: rt({ max_batch_size: 2, max_num_tokens: 200 }),
    expect: [],
  },
  // KV cache fraction in (0, 1]
  { name: 'kv fraction 1', doc: rt({ kv_cache_free_gpu_mem_fraction: 1 }), expect: [] },
  {
    name: 'kv fraction just above 1',
    doc: rt({ kv_cache_free_gpu_mem_fraction: 1.0001 }),
    expect: [
      [
        'KV_CACHE_FRACTION_OUT_OF_RANGE',
        'error',
        'trt_llm.runtime.kv_cache_free_gpu_mem_fraction',
        'must be in (0, 1] (got 1.0001); the default is 0.9',
      ],
    ],
  },
  {
    name: 'kv fraction 0',
    doc: rt({ kv_cache_free_gpu_mem_fraction: 0 }),
    expect: [['KV_CACHE_FRACTION_OUT_OF_RANGE', 'error', 'trt_llm.runtime.kv_cache_free_gpu_mem_fraction', '(got 0)']],
  },
  { name: 'kv fraction just above 0', doc: rt({ kv_cache_free_gpu_mem_fraction: 0.0001 }), expect: [] },
  {
    name: 'kv fraction negative',
    doc: rt({ kv_cache_free_gpu_mem_fraction: -0.5 }),
    expect: [['KV_CACHE_FRACTION_OUT_OF_RANGE', 'error', 'trt_llm.runtime.kv_cache_free_gpu_mem_fraction']],
  },
  // total_token_limit >= 1
  { name: 'total_token_limit 1', doc: rt({ total_token_limit: 1 }), expect: [] },
  {
    name: 'total_token_limit 0',
    doc: rt({ total_token_limit: 0 }),
    expect: [
      [
        'TOTAL_TOKEN_LIMIT_TOO_SMALL',
        'error',
        'trt_llm.runtime.total_token_limit',
        'total_token_limit must be >= 1 (got 0); the default is 500000',
      ],
    ],
  },
  {
    name: 'total_token_limit -1',
    doc: rt({ total_token_limit: -1 }),
    expect: [['TOTAL_TOKEN_LIMIT_TOO_SMALL', 'error', 'trt_llm.runtime.total_token_limit', '(got -1)']],
  },
  // a prompt must fit in one step without chunked context
  {
    name: 'prompt one above max_num_tokens',
    doc: {
      trt_llm: { build: { max_seq_len: 8193, max_num_tokens: 8192 }, runtime: { enable_chunked_context: false } },
    },
    expect: [
      [
        'PROMPT_LONGER_THAN_MAX_NUM_TOKENS',
        'error',
        `${B}.max_num_tokens`,
        'with enable_chunked_context false a prompt must fit in one step, but max_seq_len 8193 > max_num_tokens 8192: raise max_num_tokens to 8193 or enable chunked context',
      ],
    ],
  },
  {
    name: 'prompt equal to max_num_tokens',
    doc: {
      trt_llm: { build: { max_seq_len: 8192, max_num_tokens: 8192 }, runtime: { enable_chunked_context: false } },
    },
    expect: [],
  },
  { name: 'prompt longer but chunked context on', doc: build({ max_seq_len: 8193, max_num_tokens: 8192 }), expect: [] },
  {
    name: 'max_seq_len unset, chunked off',
    doc: { trt_llm: { runtime: { enable_chunked_context: false } } },
    expect: [],
  },
  {
    name: 'encoder_bert with a long prompt, chunked off',
    doc: {
      trt_llm: {
        build: { base_model: 'encoder_bert', max_seq_len: 8193, max_num_tokens: 8192 },
        runtime: { enable_chunked_context: false },
      },
    },
    expect: [],
  },
  // encoders (B8)
  {
    name: 'encoder with max_seq_len',
    doc: build({ base_model: 'encoder', max_seq_len: 512 }),
    expect: [
      [
        'ENCODER_MAX_SEQ_LEN_IGNORED',
        'warning',
        `${B}.max_seq_len`,
        'max_seq_len is not used for embedding models (only for SequenceClassification); it is taken from config.json max_position_embeddings',
      ],
    ],
  },
  {
    name: 'encoder max_num_tokens one below 16384',
    doc: build({ base_model: 'encoder', max_num_tokens: 16383 }),
    expect: [
      [
        'ENCODER_MAX_NUM_TOKENS_RAISED',
        'warning',
        `${B}.max_num_tokens`,
        'max_num_tokens 16383 is raised to 16384 for encoder models',
      ],
    ],
  },
  { name: 'encoder max_num_tokens 16384', doc: build({ base_model: 'encoder', max_num_tokens: 16384 }), expect: [] },
  { name: 'encoder max_num_tokens left at the default', doc: build({ base_model: 'encoder' }), expect: [] },
  {
    name: 'encoder with fp8_kv',
    doc: build({ base_model: 'encoder', quantization_type: 'fp8_kv', num_builder_gpus: 1 }),
    expect: [
      [
        'ENCODER_KV_QUANTIZATION_ALPHA',
        'warning',
        `${B}.quantization_type`,
        'compiling an encoder with a quantized KV cache (fp8_kv) is an alpha feature and may fail; prefer fp8',
      ],
    ],
  },
  {
    name: 'encoder with fp4_kv',
    doc: {
      resources: { accelerator: 'B200' },
      trt_llm: { build: { base_model: 'encoder', quantization_type: 'fp4_kv' } },
    },
    expect: [
      [
        'ENCODER_KV_QUANTIZATION_ALPHA',
        'warning',
        `${B}.quantization_type`,
        '(fp4_kv) is an alpha feature and may fail; prefer fp4',
      ],
    ],
  },
  {
    name: 'encoder with fp8',
    doc: build({ base_model: 'encoder', quantization_type: 'fp8', num_builder_gpus: 1 }),
    expect: [],
  },
  {
    name: 'encoder_bert gets no encoder warnings',
    doc: build({ base_model: 'encoder_bert', max_seq_len: 512, max_num_tokens: 1024 }),
    expect: [],
  },
];

describe('size rules: exact findings', () => {
  it.each(ROWS)('$name', (row) => {
    expectExactly(row);
  });
});

describe('size rules: the suggested quantization for an encoder drops "_kv"', () => {
  it.each([
    ['fp8_kv', 'fp8', {}],
    ['fp4_kv', 'fp4', { resources: { accelerator: 'B200' } }],
  ] as const)('%s → %s', (type, plain, extra) => {
    const result = expectExactly({
      name: type,
      doc: { ...extra, trt_llm: { build: { base_model: 'encoder', quantization_type: type, num_builder_gpus: 1 } } },
      expect: [['ENCODER_KV_QUANTIZATION_ALPHA', 'warning', `${B}.quantization_type`]],
    });
    expect(result.warnings[0]?.message).toMatch(new RegExp(`; prefer ${plain}$`));
  });
});
