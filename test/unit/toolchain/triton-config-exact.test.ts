/**
 * Exact output of the Triton `tensorrt_llm` config.pbtxt generator, called directly: every
 * parameter's key and value (and when it is present), every input/output block with its flags,
 * the batching, decoupled and instance settings, and the LoRA inputs present only for LoRA engines.
 * The consumer's rules (runtime-facts §2) are checked with the fake tritonserver's parsers.
 */
import { describe, expect, it } from 'vitest';
import type {
  DecoderRuntimeSettings,
  EngineSettings,
  LookaheadSpec,
  LoraSpec,
} from '../../../orchestrator/toolchain/engine-settings.js';
import {
  TRITON_INPUTS,
  TRITON_LORA_INPUTS,
  tritonConfigPbtxt,
  tritonParameters,
} from '../../../orchestrator/toolchain/triton-config.js';
import { pbtxtInputs, pbtxtParameters, TRITON_REQUIRED_PARAMETERS } from '../../fixtures/servers/fake-tritonserver.js';
import { plainEngine } from './engine-fixture.js';

const ENGINE: EngineSettings = plainEngine();

const RUNTIME_SETTINGS: DecoderRuntimeSettings = {
  kvCacheFreeGpuMemFraction: 0.9,
  kvCacheHostMemoryBytes: null,
  enableChunkedContext: true,
  batchSchedulerPolicy: 'guaranteed_no_evict',
};

const LOOKAHEAD: LookaheadSpec = { windowSize: 8, ngramSize: 3, verificationSetSize: 5, maxDraftLen: 21 };
const LORA: LoraSpec = { adapterNames: ['a', 'b'], maxLoraRank: 16, targetModules: [] };

/** The parameters every config carries, in output order, for ENGINE/RUNTIME_SETTINGS. */
const BASE_PARAMS: Array<[string, string]> = [
  ['gpt_model_type', 'inflight_fused_batching'],
  ['gpt_model_path', '/models/artifact'],
  ['tokenizer_dir', '/models/tokenizer'],
  ['xgrammar_tokenizer_info_path', ''],
  ['guided_decoding_backend', ''],
  ['max_beam_width', '1'],
  ['FORCE_CPU_ONLY_INPUT_TENSORS', 'no'],
  ['batch_scheduler_policy', 'guaranteed_no_evict'],
  ['kv_cache_free_gpu_mem_fraction', '0.9'],
  ['enable_kv_cache_reuse', 'true'],
  ['enable_chunked_context', 'true'],
  ['exclude_input_in_output', 'true'],
  ['executor_worker_path', '/opt/tritonserver/backends/tensorrtllm/trtllmExecutorWorker'],
];

const HEADER = `name: "tensorrt_llm"
backend: "tensorrtllm"
max_batch_size: 64
model_transaction_policy {
  decoupled: true
}
dynamic_batching {
  preferred_batch_size: [ 64 ]
}
`;

const scalar = (name: string, type: string) => `  {
    name: "${name}"
    data_type: ${type}
    dims: [ 1 ]
    reshape: { shape: [ ] }
    optional: true
  }`;

const INPUT_BLOCKS = [
  `  {
    name: "input_ids"
    data_type: TYPE_INT32
    dims: [ -1 ]
    allow_ragged_batch: true
  }`,
  `  {
    name: "input_lengths"
    data_type: TYPE_INT32
    dims: [ 1 ]
    reshape: { shape: [ ] }
  }`,
  `  {
    name: "request_output_len"
    data_type: TYPE_INT32
    dims: [ 1 ]
    reshape: { shape: [ ] }
  }`,
  scalar('end_id', 'TYPE_INT32'),
  scalar('pad_id', 'TYPE_INT32'),
  scalar('streaming', 'TYPE_BOOL'),
  scalar('beam_width', 'TYPE_INT32'),
  scalar('runtime_top_k', 'TYPE_INT32'),
  scalar('runtime_top_p', 'TYPE_FP32'),
  scalar('temperature', 'TYPE_FP32'),
  scalar('repetition_penalty', 'TYPE_FP32'),
  scalar('presence_penalty', 'TYPE_FP32'),
  scalar('frequency_penalty', 'TYPE_FP32'),
  scalar('len_penalty', 'TYPE_FP32'),
  // The backend reads this input as `seed` (InputFieldsNames::seed); `random_seed` was silently ignored.
  scalar('seed', 'TYPE_UINT64'),
  scalar('return_log_probs', 'TYPE_BOOL'),
  `  {
    name: "stop_words_list"
    data_type: TYPE_INT32
    dims: [ 2, -1 ]
    optional: true
    allow_ragged_batch: true
  }`,
  `  {
    name: "bad_words_list"
    data_type: TYPE_INT32
    dims: [ 2, -1 ]
    optional: true
    allow_ragged_batch: true
  }`,
];

const LORA_BLOCKS = [
  scalar('lora_task_id', 'TYPE_UINT64'),
  `  {
    name: "lora_weights"
    data_type: TYPE_FP16
    dims: [ -1, -1 ]
    optional: true
    allow_ragged_batch: true
  }`,
  `  {
    name: "lora_config"
    data_type: TYPE_INT32
    dims: [ -1, 3 ]
    optional: true
    allow_ragged_batch: true
  }`,
];

const OUTPUTS = `output [
  {
    name: "output_ids"
    data_type: TYPE_INT32
    dims: [ -1, -1 ]
  },
  {
    name: "sequence_length"
    data_type: TYPE_INT32
    dims: [ -1 ]
  },
  {
    name: "cum_log_probs"
    data_type: TYPE_FP32
    dims: [ -1 ]
  },
  {
    name: "output_log_probs"
    data_type: TYPE_FP32
    dims: [ -1, -1 ]
  }
]
`;

const INSTANCE = `instance_group [
  {
    count: 1
    kind: KIND_CPU
  }
]
`;

const inputSection = (blocks: readonly string[]) => `input [\n${blocks.join(',\n')}\n]\n`;
const paramBlock = ([key, value]: [string, string]) =>
  `parameters: {\n  key: "${key}"\n  value: {\n    string_value: "${value}"\n  }\n}\n`;

describe('tritonParameters: each key, value and condition', () => {
  it('a plain engine: the fixed and runtime parameters, in order, nothing optional', () => {
    expect(tritonParameters(ENGINE, RUNTIME_SETTINGS)).toEqual(BASE_PARAMS);
  });

  it('runtime values are written as Triton reads them (strings)', () => {
    const params = new Map(
      tritonParameters(ENGINE, {
        kvCacheFreeGpuMemFraction: 0.5,
        kvCacheHostMemoryBytes: null,
        enableChunkedContext: false,
        batchSchedulerPolicy: 'max_utilization',
      }),
    );
    expect(params.get('kv_cache_free_gpu_mem_fraction')).toBe('0.5');
    expect(params.get('enable_chunked_context')).toBe('false');
    expect(params.get('batch_scheduler_policy')).toBe('max_utilization');
    expect(params.has('kv_cache_host_memory_bytes')).toBe(false);
  });

  it.each([
    [true, true, 'true'],
    [true, false, 'false'],
    [false, true, 'false'],
    [false, false, 'false'],
  ])('enable_kv_cache_reuse needs paged KV (%s) and paged context FMHA (%s): %s', (paged, fmha, want) => {
    const params = new Map(
      tritonParameters({ ...ENGINE, pagedKvCache: paged, pagedContextFmha: fmha }, RUNTIME_SETTINGS),
    );
    expect(params.get('enable_kv_cache_reuse')).toBe(want);
  });

  it('kv_cache_host_memory_bytes is appended only when set (0 included)', () => {
    expect(tritonParameters(ENGINE, { ...RUNTIME_SETTINGS, kvCacheHostMemoryBytes: 4294967296 })).toEqual([
      ...BASE_PARAMS,
      ['kv_cache_host_memory_bytes', '4294967296'],
    ]);
    expect(tritonParameters(ENGINE, { ...RUNTIME_SETTINGS, kvCacheHostMemoryBytes: 0 })).toEqual([
      ...BASE_PARAMS,
      ['kv_cache_host_memory_bytes', '0'],
    ]);
  });

  it('a lookahead engine: decoding_mode lookahead and its (W, N, G)', () => {
    expect(tritonParameters({ ...ENGINE, lookahead: LOOKAHEAD }, RUNTIME_SETTINGS)).toEqual([
      ...BASE_PARAMS,
      ['decoding_mode', 'lookahead'],
      ['lookahead_window_size', '8'],
      ['lookahead_ngram_size', '3'],
      ['lookahead_verification_set_size', '5'],
    ]);
  });

  it('a LoRA engine: lora_cache_max_adapter_size is the engine maximum rank', () => {
    expect(tritonParameters({ ...ENGINE, lora: LORA }, RUNTIME_SETTINGS)).toEqual([
      ...BASE_PARAMS,
      ['lora_cache_max_adapter_size', '16'],
    ]);
  });

  it('all optional parameters together, in order: host memory, lookahead, LoRA', () => {
    const keys = tritonParameters(
      { ...ENGINE, lookahead: LOOKAHEAD, lora: LORA },
      { ...RUNTIME_SETTINGS, kvCacheHostMemoryBytes: 1024 },
    ).map(([k]) => k);
    expect(keys.slice(BASE_PARAMS.length)).toEqual([
      'kv_cache_host_memory_bytes',
      'decoding_mode',
      'lookahead_window_size',
      'lookahead_ngram_size',
      'lookahead_verification_set_size',
      'lora_cache_max_adapter_size',
    ]);
  });

  it('parallelism does not change the parameters (the launch, not the config, starts one process per rank)', () => {
    expect(tritonParameters({ ...ENGINE, tp: 4, pp: 2, workers: 8 }, RUNTIME_SETTINGS)).toEqual(BASE_PARAMS);
  });
});

describe('tritonConfigPbtxt: exact text', () => {
  it('a plain engine: header, decoupled, dynamic batching, template inputs, outputs, one CPU instance, parameters', () => {
    expect(tritonConfigPbtxt(ENGINE, RUNTIME_SETTINGS)).toBe(
      HEADER + inputSection(INPUT_BLOCKS) + OUTPUTS + INSTANCE + BASE_PARAMS.map(paramBlock).join(''),
    );
  });

  it('a LoRA engine: the lora_* inputs follow the template inputs, and its parameter is written', () => {
    expect(tritonConfigPbtxt({ ...ENGINE, lora: LORA }, RUNTIME_SETTINGS)).toBe(
      HEADER +
        inputSection([...INPUT_BLOCKS, ...LORA_BLOCKS]) +
        OUTPUTS +
        INSTANCE +
        [...BASE_PARAMS, ['lora_cache_max_adapter_size', '16'] as [string, string]].map(paramBlock).join(''),
    );
  });

  it('max_batch_size and preferred_batch_size follow the engine', () => {
    const text = tritonConfigPbtxt({ ...ENGINE, maxBatchSize: 7 }, RUNTIME_SETTINGS);
    expect(text.startsWith(HEADER.replace('max_batch_size: 64', 'max_batch_size: 7').replace('[ 64 ]', '[ 7 ]'))).toBe(
      true,
    );
  });

  it('parameter values are escaped for the text format (backslash, then quote), and read back unchanged', () => {
    const odd = 'a\\b"c';
    const text = tritonConfigPbtxt(ENGINE, {
      ...RUNTIME_SETTINGS,
      batchSchedulerPolicy: odd as DecoderRuntimeSettings['batchSchedulerPolicy'],
    });
    expect(text).toContain('  key: "batch_scheduler_policy"\n  value: {\n    string_value: "a\\\\b\\"c"\n  }\n}\n');
    expect(pbtxtParameters(text).get('batch_scheduler_policy')).toBe(odd);
    const many = 'x\\\\y""z';
    const text2 = tritonConfigPbtxt(ENGINE, {
      ...RUNTIME_SETTINGS,
      batchSchedulerPolicy: many as DecoderRuntimeSettings['batchSchedulerPolicy'],
    });
    expect(text2).toContain('    string_value: "x\\\\\\\\y\\"\\"z"\n');
    expect(pbtxtParameters(text2).get('batch_scheduler_policy')).toBe(many);
  });
});

describe('the consumer rules (runtime-facts §2) hold for every variant', () => {
  const variants: Array<[string, EngineSettings, DecoderRuntimeSettings]> = [
    ['plain', ENGINE, RUNTIME_SETTINGS],
    ['lora', { ...ENGINE, lora: LORA }, RUNTIME_SETTINGS],
    ['lookahead', { ...ENGINE, lookahead: LOOKAHEAD }, { ...RUNTIME_SETTINGS, kvCacheHostMemoryBytes: 1 }],
    ['tp4 pp2', { ...ENGINE, tp: 4, pp: 2 }, RUNTIME_SETTINGS],
  ];
  it.each(variants)('%s', (_, e, r) => {
    const text = tritonConfigPbtxt(e, r);
    const params = pbtxtParameters(text);
    for (const key of TRITON_REQUIRED_PARAMETERS) expect(params.has(key), key).toBe(true);
    for (const value of params.values()) expect(value).not.toContain('${');
    expect([...params.keys()]).toEqual(tritonParameters(e, r).map(([k]) => k));
    const inputs = pbtxtInputs(text);
    const want = e.lora ? [...TRITON_INPUTS, ...TRITON_LORA_INPUTS] : TRITON_INPUTS;
    expect([...inputs.keys()]).toEqual(want.map((t) => t.name));
    expect(inputs.get('input_ids')).toMatch(/allow_ragged_batch: true/);
    for (const name of ['input_lengths', 'request_output_len', 'end_id', 'pad_id', 'streaming'])
      expect(inputs.get(name), name).toMatch(/reshape: \{ shape: \[ \] \}/);
    for (const name of ['lora_task_id', 'lora_weights', 'lora_config'])
      expect(inputs.has(name), name).toBe(e.lora !== null);
    expect(text).toMatch(/^backend: "tensorrtllm"$/m);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
