// The v1 decoder launch configs, exactly: the trtllm-serve argv (--max_seq_len, --pp_size only when
// set), its LLM API YAML (KV reuse, host cache, scheduler policy, lookahead, LoRA), and the Triton
// launch (world size = TP × PP, config.pbtxt, the version file).
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import type { DecoderRuntimeSettings, EngineSettings } from '../../../orchestrator/toolchain/engine-settings.js';
import {
  LLM_API_OPTIONS_FILE,
  TRITON_CONFIG_FILE,
  TRITON_MODEL_REPO,
  TRITON_VERSION_FILE,
  decoderLlmApiOptions,
  decoderServeLaunch,
  decoderTritonLaunch,
  tritonServerArgv,
} from '../../../orchestrator/toolchain/launch-decoder.js';
import { tritonConfigPbtxt } from '../../../orchestrator/toolchain/triton-config.js';
import { plainEngine } from './engine-fixture.js';

const E: EngineSettings = plainEngine();
const R: DecoderRuntimeSettings = {
  kvCacheFreeGpuMemFraction: 0.9,
  kvCacheHostMemoryBytes: null,
  enableChunkedContext: true,
  batchSchedulerPolicy: 'guaranteed_no_evict',
};
const IMAGE = 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0';
const DYNAMIC_BATCH = {
  enable_batch_size_tuning: true,
  enable_max_num_tokens_tuning: false,
  dynamic_batch_moving_average_window: 128,
};

describe('file names', () => {
  it('are the ones trtllm-serve and Triton are pointed at', () => {
    expect(LLM_API_OPTIONS_FILE).toBe('extra_llm_api_options.yaml');
    expect(TRITON_MODEL_REPO).toBe('triton');
    expect(TRITON_CONFIG_FILE).toBe('triton/tensorrt_llm/config.pbtxt');
    expect(TRITON_VERSION_FILE).toBe('triton/tensorrt_llm/1/README.txt');
  });
});

describe('decoderLlmApiOptions', () => {
  it('a plain engine: sizes, TP/PP, chunked prefill, KV block reuse, guaranteed-no-evict scheduler', () => {
    expect(decoderLlmApiOptions(E, R)).toEqual({
      max_batch_size: 64,
      max_num_tokens: 8192,
      max_beam_width: 1,
      tensor_parallel_size: 1,
      pipeline_parallel_size: 1,
      enable_chunked_prefill: true,
      kv_cache_config: { free_gpu_memory_fraction: 0.9, enable_block_reuse: true },
      scheduler_config: { capacity_scheduler_policy: 'GUARANTEED_NO_EVICT', dynamic_batch_config: DYNAMIC_BATCH },
    });
  });

  it('max_seq_len, pipeline parallelism, host KV cache, max-utilization scheduler, no chunked prefill', () => {
    expect(
      decoderLlmApiOptions(
        { ...E, maxSeqLen: 4096, tp: 2, pp: 4 },
        {
          kvCacheFreeGpuMemFraction: 0.5,
          kvCacheHostMemoryBytes: 1_000_000,
          enableChunkedContext: false,
          batchSchedulerPolicy: 'max_utilization',
        },
      ),
    ).toEqual({
      max_batch_size: 64,
      max_num_tokens: 8192,
      max_seq_len: 4096,
      max_beam_width: 1,
      tensor_parallel_size: 2,
      pipeline_parallel_size: 4,
      enable_chunked_prefill: false,
      kv_cache_config: { free_gpu_memory_fraction: 0.5, enable_block_reuse: true, host_cache_size: 1_000_000 },
      scheduler_config: { capacity_scheduler_policy: 'MAX_UTILIZATION', dynamic_batch_config: DYNAMIC_BATCH },
    });
  });

  it.each([
    [true, true, true],
    [true, false, false],
    [false, true, false],
    [false, false, false],
  ])('KV block reuse with paged KV cache %s and paged context FMHA %s: %s', (pagedKvCache, pagedContextFmha, reuse) => {
    const kv = decoderLlmApiOptions({ ...E, pagedKvCache, pagedContextFmha }, R)['kv_cache_config'];
    expect(kv).toEqual({ free_gpu_memory_fraction: 0.9, enable_block_reuse: reuse });
  });

  it('writes a host cache of 0 bytes (only null leaves it out)', () => {
    expect(decoderLlmApiOptions(E, { ...R, kvCacheHostMemoryBytes: 0 })['kv_cache_config']).toEqual({
      free_gpu_memory_fraction: 0.9,
      enable_block_reuse: true,
      host_cache_size: 0,
    });
  });

  it('lookahead: a Lookahead speculative_config with (W, N, V)', () => {
    const options = decoderLlmApiOptions(
      { ...E, lookahead: { windowSize: 4, ngramSize: 3, verificationSetSize: 2, maxDraftLen: 11 } },
      R,
    );
    expect(options['speculative_config']).toEqual({
      decoding_type: 'Lookahead',
      max_window_size: 4,
      max_ngram_size: 3,
      max_verification_set_size: 2,
    });
    expect(options).not.toHaveProperty('enable_lora');
    expect(options).not.toHaveProperty('lora_config');
  });

  it('LoRA: one engine lora dir per adapter, in order, with the rank, target modules and adapter count', () => {
    const options = decoderLlmApiOptions(
      { ...E, lora: { adapterNames: ['b', 'a', 'c'], maxLoraRank: 16, targetModules: ['attn_q', 'attn_v'] } },
      R,
    );
    expect(options['enable_lora']).toBe(true);
    expect(options['lora_config']).toEqual({
      lora_dir: ['/models/artifact/lora/0', '/models/artifact/lora/1', '/models/artifact/lora/2'],
      lora_ckpt_source: 'hf',
      max_lora_rank: 16,
      lora_target_modules: ['attn_q', 'attn_v'],
      max_loras: 3,
    });
    expect(options).not.toHaveProperty('speculative_config');
  });

  it('LoRA without target modules leaves lora_target_modules out (trtllm-build infers them)', () => {
    const options = decoderLlmApiOptions({ ...E, lora: { adapterNames: ['a'], maxLoraRank: 8, targetModules: [] } }, R);
    expect(options['lora_config']).toEqual({
      lora_dir: ['/models/artifact/lora/0'],
      lora_ckpt_source: 'hf',
      max_lora_rank: 8,
      max_loras: 1,
    });
  });
});

describe('decoderServeLaunch', () => {
  const HEAD = [
    'trtllm-serve',
    '/models/artifact',
    '--backend',
    'tensorrt',
    '--tokenizer',
    '/models/tokenizer',
    '--host',
    '0.0.0.0',
    '--port',
    '8000',
    '--max_batch_size',
    '64',
    '--max_num_tokens',
    '8192',
  ];
  const TAIL = ['--extra_llm_api_options', '/models/launch/extra_llm_api_options.yaml'];

  it('a plain engine: no --max_seq_len, no --pp_size', () => {
    const launch = decoderServeLaunch(E, R, IMAGE);
    expect(launch.server).toBe('trtllm-serve');
    expect(launch.image).toBe(IMAGE);
    expect(launch.argv).toEqual([...HEAD, '--tp_size', '1', '--kv_cache_free_gpu_memory_fraction', '0.9', ...TAIL]);
    expect(checkToolArgv(launch.argv)).toEqual([]);
    expect(launch.files.map((f) => f.path)).toEqual(['extra_llm_api_options.yaml']);
    expect(parse(launch.files[0]?.content ?? '')).toEqual(decoderLlmApiOptions(E, R));
  });

  it('max_seq_len and pipeline parallelism: --max_seq_len and --pp_size', () => {
    const e = { ...E, maxSeqLen: 4096, tp: 2, pp: 2 };
    const launch = decoderServeLaunch(e, { ...R, kvCacheFreeGpuMemFraction: 0.85 }, IMAGE);
    expect(launch.argv).toEqual([
      ...HEAD,
      '--max_seq_len',
      '4096',
      '--tp_size',
      '2',
      '--pp_size',
      '2',
      '--kv_cache_free_gpu_memory_fraction',
      '0.85',
      ...TAIL,
    ]);
    expect(checkToolArgv(launch.argv)).toEqual([]);
  });

  it('--pp_size is left out at PP 1 and written from PP 2 (the boundary)', () => {
    expect(decoderServeLaunch({ ...E, tp: 2, pp: 1 }, R, IMAGE).argv).not.toContain('--pp_size');
    const argv = decoderServeLaunch({ ...E, tp: 1, pp: 2 }, R, IMAGE).argv;
    expect(argv.slice(argv.indexOf('--pp_size'), argv.indexOf('--pp_size') + 2)).toEqual(['--pp_size', '2']);
  });
});

describe('tritonServerArgv', () => {
  const rank = (i: number): string[] => [
    '-n',
    '1',
    'tritonserver',
    '--model-repository=/models/launch/triton',
    ...(i > 0 ? ['--model-control-mode=explicit', '--load-model=tensorrt_llm'] : []),
    '--grpc-port=8001',
    '--http-port=8000',
    '--metrics-port=8002',
    '--disable-auto-complete-config',
    `--backend-config=python,shm-region-prefix-name=prefix${i}_`,
  ];

  it('world size 2: rank 0, then ":" and rank 1 loading only tensorrt_llm', () => {
    expect(tritonServerArgv(2)).toEqual(['mpirun', '--allow-run-as-root', ...rank(0), ':', ...rank(1)]);
  });

  it('world size 3: one segment per rank', () => {
    expect(tritonServerArgv(3)).toEqual([
      'mpirun',
      '--allow-run-as-root',
      ...rank(0),
      ':',
      ...rank(1),
      ':',
      ...rank(2),
    ]);
  });
});

describe('decoderTritonLaunch', () => {
  it('runs one rank per GPU of TP × PP in the Triton image, with config.pbtxt and the version file', () => {
    const e = { ...E, tp: 2, pp: 2 };
    const launch = decoderTritonLaunch(e, R, 'triton:1');
    expect(launch.server).toBe('triton');
    expect(launch.image).toBe('triton:1');
    expect(launch.argv).toEqual(tritonServerArgv(4));
    expect(launch.argv.filter((a) => a === 'tritonserver')).toHaveLength(4);
    expect(launch.files).toEqual([
      { path: 'triton/tensorrt_llm/config.pbtxt', content: tritonConfigPbtxt(e, R) },
      {
        path: 'triton/tensorrt_llm/1/README.txt',
        content:
          'Version 1 of the tensorrt_llm model. The tensorrtllm backend loads the engine from gpt_model_path (/models/artifact); this file keeps the version directory present in object stores.\n',
      },
    ]);
  });

  it('a single-GPU engine runs one rank', () => {
    expect(decoderTritonLaunch(E, R, 'triton:1').argv).toEqual(tritonServerArgv(1));
    expect(tritonServerArgv(1)).not.toContain(':');
  });
});
