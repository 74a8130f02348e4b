// Every rule: a config that triggers it, and a valid neighbour that does not; each side's findings
// (code and severity) are asserted exactly. The per-rule tables (rules-*.test.ts) add paths and lines.
import { describe, expect, it } from 'vitest';
import type { ValidationResult } from '../../../orchestrator/config/index.js';
import { BASE_V1, BASE_V2, check, codes } from './helpers.js';
import type { Json } from './helpers.js';

interface Case {
  readonly rule: string;
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly bad: Json;
  readonly good: Json;
  readonly base?: Json;
  /** Other findings (`CODE severity`) the bad config carries besides this rule's. */
  readonly also?: readonly string[];
  /** Findings (`CODE severity`) the valid neighbour carries (never this rule's). */
  readonly goodAlso?: readonly string[];
}

const b = (build: Json): Json => ({ trt_llm: { build } });
const rt = (runtime: Json): Json => ({ trt_llm: { runtime } });
const acc = (accelerator: string): Json => ({ resources: { accelerator } });
const LOOKAHEAD = {
  speculative_decoding_mode: 'LOOKAHEAD_DECODING',
  lookahead_windows_size: 8,
  lookahead_ngram_size: 3,
  lookahead_verification_set_size: 3,
};

const CASES: Case[] = [
  // F1–F8 field constraints
  {
    rule: 'F1 max_seq_len bound',
    code: 'VALUE_TOO_LARGE',
    severity: 'error',
    bad: b({ max_seq_len: 1048577 }),
    good: b({ max_seq_len: 1048576 }),
  },
  {
    rule: 'F1 max_seq_len >= 1',
    code: 'VALUE_TOO_SMALL',
    severity: 'error',
    // max_num_tokens 256 = 1 × the default batch, so the neighbour is not clipped
    bad: b({ max_seq_len: 0, max_num_tokens: 256 }),
    good: b({ max_seq_len: 1, max_num_tokens: 256 }),
  },
  {
    rule: 'F2 max_batch_size bound',
    code: 'VALUE_TOO_LARGE',
    severity: 'error',
    bad: b({ max_batch_size: 2049 }),
    good: b({ max_batch_size: 2048 }),
  },
  {
    rule: 'F3 max_num_tokens > 64',
    code: 'VALUE_TOO_SMALL',
    severity: 'error',
    bad: b({ max_num_tokens: 64 }),
    good: b({ max_num_tokens: 65 }),
  },
  {
    rule: 'F3 v2 max_num_tokens <= 131072',
    code: 'VALUE_TOO_LARGE',
    severity: 'error',
    base: BASE_V2,
    bad: rt({ max_num_tokens: 131073 }),
    good: rt({ max_num_tokens: 131072 }),
  },
  {
    rule: 'F4 max_beam_width = 1',
    code: 'MAX_BEAM_WIDTH_UNSUPPORTED',
    severity: 'error',
    bad: b({ max_beam_width: 2 }),
    good: b({ max_beam_width: 1 }),
  },
  {
    rule: 'F5 strict int (string)',
    code: 'INTEGER_EXPECTED',
    severity: 'error',
    bad: b({ tensor_parallel_count: '1' }),
    good: b({ tensor_parallel_count: 1 }),
  },
  {
    rule: 'F5 strict int (bool)',
    code: 'INTEGER_EXPECTED',
    severity: 'error',
    bad: b({ num_builder_gpus: true }),
    good: b({ num_builder_gpus: 1 }),
  },
  {
    rule: 'F5 >= 1',
    code: 'VALUE_TOO_SMALL',
    severity: 'error',
    bad: b({ num_builder_gpus: 0 }),
    good: b({ num_builder_gpus: 2 }),
  },
  {
    rule: 'F6 adapter name',
    code: 'LORA_ADAPTER_NAME_INVALID',
    severity: 'error',
    bad: b({ lora_adapters: { 'adapter-$ bad': { source: 'HF', repo: 'a/b' } } }),
    good: b({ lora_adapters: { 'good_name-1.0:x': { source: 'HF', repo: 'a/b' } } }),
  },
  {
    rule: 'F7 route enum',
    code: 'INVALID_ENUM_VALUE',
    severity: 'error',
    bad: { trt_llm: { build: { base_model: 'encoder' }, runtime: { webserver_default_route: '/embed' } } },
    good: { trt_llm: { build: { base_model: 'encoder' }, runtime: { webserver_default_route: '/rerank' } } },
  },
  {
    rule: 'F8 version override',
    code: 'VERSION_OVERRIDE_INVALID',
    severity: 'error',
    bad: { trt_llm: { version_overrides: { briton_version: 'v0.17.0' } } },
    good: { trt_llm: { version_overrides: { briton_version: '0.17.0', v2_llm_version: 'trtllm-gpu-x' } } },
  },
  // B1–B8 build rules
  {
    rule: 'B1 calib_size multiple of 64',
    code: 'CALIB_SIZE_NOT_MULTIPLE_OF_64',
    severity: 'error',
    bad: b({ quantization_config: { calib_size: 1000 } }),
    good: b({ quantization_config: { calib_size: 1024 } }),
  },
  {
    rule: 'B1 calib_size range',
    code: 'CALIB_SIZE_OUT_OF_RANGE',
    severity: 'error',
    bad: b({ quantization_config: { calib_size: 16448 } }),
    good: b({ quantization_config: { calib_size: 16384 } }),
  },
  {
    rule: 'B1 calib_max_seq_length multiple of 64',
    code: 'CALIB_MAX_SEQ_LENGTH_NOT_MULTIPLE_OF_64',
    severity: 'error',
    bad: b({ quantization_config: { calib_max_seq_length: 2000 } }),
    good: b({ quantization_config: { calib_max_seq_length: 2048 } }),
  },
  {
    rule: 'B1 calib_max_seq_length range',
    code: 'CALIB_MAX_SEQ_LENGTH_OUT_OF_RANGE',
    severity: 'error',
    bad: b({ quantization_config: { calib_max_seq_length: 32 } }),
    good: b({ quantization_config: { calib_max_seq_length: 64 } }),
  },
  {
    rule: 'B2 HF repo id',
    code: 'HF_REPO_ID_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'HF', repo: '../x' } }),
    good: b({ checkpoint_repository: { source: 'HF', repo: 'Qwen/Qwen2.5-7B' } }),
  },
  {
    rule: 'B2 HF repo .git',
    code: 'HF_REPO_ID_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'HF', repo: 'foo.git' } }),
    good: b({ checkpoint_repository: { source: 'HF', repo: 'foo' } }),
  },
  {
    rule: 'B2 HF repo datasets/',
    code: 'HF_REPO_ID_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'HF', repo: 'datasets/foo/bar' } }),
    good: b({ checkpoint_repository: { source: 'HF', repo: 'foo/bar' } }),
  },
  {
    rule: 'B3 paged fmha needs paged kv',
    code: 'PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE',
    severity: 'error',
    bad: {
      trt_llm: {
        build: { plugin_configuration: { paged_kv_cache: false } },
        runtime: { enable_chunked_context: false },
      },
    },
    good: {
      trt_llm: {
        build: { plugin_configuration: { paged_kv_cache: false, use_paged_context_fmha: false } },
        runtime: { enable_chunked_context: false },
      },
    },
  },
  {
    rule: 'B4 speculator needs paged kv',
    code: 'SPECULATOR_REQUIRES_PAGED_KV_CACHE',
    severity: 'error',
    bad: {
      trt_llm: {
        build: { max_batch_size: 32, speculator: LOOKAHEAD, plugin_configuration: { use_paged_context_fmha: false } },
        runtime: { enable_chunked_context: false },
      },
    },
    good: b({ max_batch_size: 32, speculator: LOOKAHEAD }),
  },
  {
    rule: 'B5 speculator large batch',
    code: 'SPECULATOR_LARGE_BATCH',
    severity: 'warning',
    bad: b({ max_batch_size: 128, max_num_tokens: 8192, speculator: LOOKAHEAD }),
    good: b({ max_batch_size: 64, speculator: LOOKAHEAD }),
  },
  {
    rule: 'B6 DRAFT_TOKENS_EXTERNAL',
    code: 'SPECULATIVE_DECODING_MODE_DISCONTINUED',
    severity: 'error',
    bad: b({ max_batch_size: 32, speculator: { ...LOOKAHEAD, speculative_decoding_mode: 'DRAFT_TOKENS_EXTERNAL' } }),
    good: b({ max_batch_size: 32, speculator: LOOKAHEAD }),
  },
  {
    rule: 'B7 moe option > tp',
    code: 'MOE_EXPERT_PARALLEL_TOO_LARGE',
    severity: 'error',
    bad: b({ moe_expert_parallel_option: 2 }),
    good: b({ moe_expert_parallel_option: 1 }),
  },
  {
    rule: 'B7 moe option positive',
    code: 'MOE_EXPERT_PARALLEL_INVALID',
    severity: 'error',
    bad: b({ moe_expert_parallel_option: 0 }),
    good: b({ moe_expert_parallel_option: -1 }),
  },
  {
    rule: 'B7 moe option divisor',
    code: 'MOE_EXPERT_PARALLEL_NOT_DIVISOR',
    severity: 'warning',
    bad: {
      resources: { accelerator: 'H100:4' },
      trt_llm: { build: { tensor_parallel_count: 4, moe_expert_parallel_option: 3 } },
    },
    good: {
      resources: { accelerator: 'H100:4' },
      trt_llm: { build: { tensor_parallel_count: 4, moe_expert_parallel_option: 2 } },
    },
  },
  {
    rule: 'B8 encoder max_seq_len ignored',
    code: 'ENCODER_MAX_SEQ_LEN_IGNORED',
    severity: 'warning',
    bad: b({ base_model: 'encoder', max_seq_len: 1000001 }),
    good: b({ base_model: 'encoder' }),
  },
  {
    rule: 'B8 encoder max_num_tokens raised',
    code: 'ENCODER_MAX_NUM_TOKENS_RAISED',
    severity: 'warning',
    bad: b({ base_model: 'encoder', max_num_tokens: 4096 }),
    good: b({ base_model: 'encoder', max_num_tokens: 16384 }),
  },
  {
    rule: 'B8 encoder kv quant alpha',
    code: 'ENCODER_KV_QUANTIZATION_ALPHA',
    severity: 'warning',
    bad: b({ base_model: 'encoder', quantization_type: 'fp8_kv', num_builder_gpus: 1 }),
    good: b({ base_model: 'encoder', quantization_type: 'fp8', num_builder_gpus: 1 }),
  },
  // S1–S9 speculator
  {
    rule: 'S1 mode required',
    code: 'REQUIRED_KEY_MISSING',
    severity: 'error',
    bad: b({
      max_batch_size: 32,
      speculator: { lookahead_windows_size: 8, lookahead_ngram_size: 3, lookahead_verification_set_size: 3 },
    }),
    good: b({ max_batch_size: 32, speculator: LOOKAHEAD }),
  },
  {
    rule: 'S3 lookahead sizes',
    code: 'LOOKAHEAD_SIZES_REQUIRED',
    severity: 'error',
    bad: b({
      max_batch_size: 32,
      speculator: { speculative_decoding_mode: 'LOOKAHEAD_DECODING', lookahead_windows_size: 8 },
    }),
    good: b({ max_batch_size: 32, speculator: LOOKAHEAD }),
  },
  {
    rule: 'S5 many draft tokens',
    code: 'NUM_DRAFT_TOKENS_HIGH',
    severity: 'warning',
    bad: b({ max_batch_size: 1, speculator: { ...LOOKAHEAD, num_draft_tokens: 600 } }),
    good: b({ max_batch_size: 1, speculator: { ...LOOKAHEAD, num_draft_tokens: 500 } }),
  },
  {
    rule: 'S6 below computed',
    code: 'NUM_DRAFT_TOKENS_BELOW_COMPUTED',
    severity: 'error',
    bad: b({ max_batch_size: 32, speculator: { ...LOOKAHEAD, num_draft_tokens: 20 } }),
    good: b({ max_batch_size: 32, speculator: { ...LOOKAHEAD, num_draft_tokens: 21 } }),
  },
  {
    rule: 'S7 <= 2048',
    code: 'NUM_DRAFT_TOKENS_TOO_LARGE',
    severity: 'error',
    also: ['LOOKAHEAD_MAX_NUM_TOKENS_LOW warning'],
    bad: b({
      max_batch_size: 1,
      speculator: {
        ...LOOKAHEAD,
        lookahead_windows_size: 100,
        lookahead_ngram_size: 100,
        lookahead_verification_set_size: 100,
      },
    }),
    good: b({
      max_batch_size: 1,
      speculator: {
        ...LOOKAHEAD,
        lookahead_windows_size: 10,
        lookahead_ngram_size: 10,
        lookahead_verification_set_size: 10,
      },
    }),
  },
  {
    rule: 'S8 (W,1,1) needs num_draft_tokens',
    code: 'NUM_DRAFT_TOKENS_REQUIRED',
    severity: 'error',
    bad: b({
      max_batch_size: 32,
      speculator: {
        ...LOOKAHEAD,
        lookahead_ngram_size: 1,
        lookahead_verification_set_size: 1,
        enable_b10_lookahead: true,
      },
    }),
    good: b({
      max_batch_size: 32,
      speculator: {
        ...LOOKAHEAD,
        lookahead_ngram_size: 1,
        lookahead_verification_set_size: 1,
        enable_b10_lookahead: true,
        num_draft_tokens: 8,
      },
    }),
  },
  {
    rule: 'speculator only for decoder',
    code: 'SPECULATOR_REQUIRES_DECODER',
    severity: 'error',
    bad: b({ base_model: 'encoder_bert', max_batch_size: 32, speculator: LOOKAHEAD }),
    good: b({ base_model: 'decoder', max_batch_size: 32, speculator: LOOKAHEAD }),
  },
  {
    rule: 'lookahead max_num_tokens low',
    code: 'LOOKAHEAD_MAX_NUM_TOKENS_LOW',
    severity: 'warning',
    bad: b({ max_batch_size: 64, max_num_tokens: 1024, speculator: LOOKAHEAD }),
    good: b({ max_batch_size: 64, max_num_tokens: 1408, speculator: LOOKAHEAD }),
  },
  // V1 / V2 stack rules
  {
    rule: 'V1-1 checkpoint required',
    code: 'CHECKPOINT_REPOSITORY_REQUIRED',
    severity: 'error',
    bad: b({ checkpoint_repository: undefined }),
    good: b({}),
  },
  {
    rule: 'V1-2 chunked context',
    code: 'CHUNKED_CONTEXT_REQUIRES_PAGED_FMHA',
    severity: 'error',
    bad: b({ plugin_configuration: { use_paged_context_fmha: false } }),
    good: {
      trt_llm: {
        build: { plugin_configuration: { use_paged_context_fmha: false } },
        runtime: { enable_chunked_context: false },
      },
    },
  },
  {
    rule: 'V2-1 checkpoint required',
    code: 'CHECKPOINT_REPOSITORY_REQUIRED',
    severity: 'error',
    base: BASE_V2,
    bad: b({ checkpoint_repository: undefined }),
    good: b({ checkpoint_repository: undefined, skip_build_result: true }),
  },
  {
    rule: 'V2-2 build allow-list',
    code: 'V2_BUILD_FIELD_NOT_ALLOWED',
    severity: 'error',
    base: BASE_V2,
    bad: b({ max_seq_len: 4096 }),
    good: b({ base_model: 'decoder', quantization_type: 'fp8', num_builder_gpus: 2 }),
  },
  {
    rule: 'V2-2 partial nested object',
    code: 'V2_BUILD_FIELD_NOT_ALLOWED',
    severity: 'error',
    base: BASE_V2,
    bad: b({ plugin_configuration: { paged_kv_cache: true } }),
    good: b({ quantization_config: { calib_size: 2048 } }),
  },
  {
    rule: 'V2-3 patch_kwargs preview',
    code: 'PATCH_KWARGS_PREVIEW',
    severity: 'warning',
    base: BASE_V2,
    bad: rt({ patch_kwargs: { enable_iter_perf_stats: true } }),
    good: rt({ patch_kwargs: {} }),
  },
  {
    rule: 'V2-3 patch_kwargs shadows field',
    code: 'PATCH_KWARGS_SHADOWS_FIELD',
    severity: 'warning',
    also: ['PATCH_KWARGS_PREVIEW warning'],
    goodAlso: ['PATCH_KWARGS_PREVIEW warning'],
    base: BASE_V2,
    bad: rt({ gated_features: { max_batch_size: 8 } }),
    good: rt({ gated_features: { kv_cache_config: { free_gpu_memory_fraction: 0.8 } } }),
  },
  {
    rule: 'v2 TP must match GPUs',
    code: 'V2_TENSOR_PARALLEL_MISMATCH',
    severity: 'error',
    base: BASE_V2,
    bad: { resources: { accelerator: 'H100:4' }, trt_llm: { runtime: { tensor_parallel_size: 2 } } },
    good: { resources: { accelerator: 'H100:4' }, trt_llm: { runtime: { tensor_parallel_size: 4 } } },
  },
  {
    rule: 'v1 multi-node',
    code: 'MULTI_NODE_REQUIRES_V2',
    severity: 'error',
    bad: { resources: { node_count: 2 } },
    good: { resources: { node_count: 1 } },
  },
  // C / T / P rules
  {
    rule: 'C2 legacy base_model',
    code: 'BASE_MODEL_RENAMED',
    severity: 'error',
    bad: b({ base_model: 'llama' }),
    good: b({ base_model: 'decoder' }),
  },
  {
    rule: 'C3 whisper',
    code: 'BASE_MODEL_REMOVED',
    severity: 'error',
    bad: b({ base_model: 'whisper' }),
    good: b({ base_model: 'encoder' }),
  },
  {
    rule: 'C4 T4 unsupported',
    code: 'GPU_NOT_SUPPORTED',
    severity: 'error',
    bad: acc('T4'),
    good: { resources: { accelerator: 'T4' }, trt_llm: { build: { base_model: 'encoder_bert' } } },
  },
  {
    rule: 'C5 FP8 needs SM89',
    code: 'FP8_REQUIRES_SM89',
    severity: 'error',
    bad: { resources: { accelerator: 'A100' }, trt_llm: { build: { quantization_type: 'fp8', num_builder_gpus: 1 } } },
    good: { resources: { accelerator: 'L4' }, trt_llm: { build: { quantization_type: 'fp8', num_builder_gpus: 1 } } },
  },
  {
    rule: 'fp4 on Ampere',
    code: 'FP4_REQUIRES_SM100',
    severity: 'error',
    bad: { resources: { accelerator: 'A10G' }, trt_llm: { build: { quantization_type: 'fp4' } } },
    good: { resources: { accelerator: 'B200' }, trt_llm: { build: { quantization_type: 'fp4' } } },
  },
  {
    rule: 'C6 FP4 needs SM100',
    code: 'FP4_REQUIRES_SM100',
    severity: 'error',
    bad: { resources: { accelerator: 'H200' }, trt_llm: { build: { quantization_type: 'fp4_kv' } } },
    good: { resources: { accelerator: 'RTX_PRO_6000' }, trt_llm: { build: { quantization_type: 'fp4_kv' } } },
  },
  {
    rule: 'T2 world size',
    code: 'WORLD_SIZE_MISMATCH',
    severity: 'error',
    bad: acc('H100:2'),
    good: { resources: { accelerator: 'H100:2' }, trt_llm: { build: { tensor_parallel_count: 2 } } },
  },
  // Corpus: Briton-…-70b-instruct-tp8 sets pipeline_parallel_count 8 (tp 1) on a single H100.
  {
    rule: 'T2 world size via pipeline parallelism',
    code: 'WORLD_SIZE_MISMATCH',
    severity: 'error',
    bad: { resources: { accelerator: 'H100' }, trt_llm: { build: { pipeline_parallel_count: 8 } } },
    good: { resources: { accelerator: 'H100:8' }, trt_llm: { build: { pipeline_parallel_count: 8 } } },
  },
  {
    rule: 'T3 unusual world size',
    code: 'WORLD_SIZE_UNUSUAL',
    severity: 'warning',
    bad: { resources: { accelerator: 'H100:3' }, trt_llm: { build: { tensor_parallel_count: 3 } } },
    good: { resources: { accelerator: 'H100:4' }, trt_llm: { build: { tensor_parallel_count: 4 } } },
  },
  {
    rule: 'P4 FP8 without num_builder_gpus',
    code: 'FP8_WITHOUT_NUM_BUILDER_GPUS',
    severity: 'warning',
    bad: b({ quantization_type: 'fp8' }),
    good: b({ quantization_type: 'fp8', num_builder_gpus: 1 }),
  },
  // Stricter than Truss
  {
    rule: 'accelerator required',
    code: 'ACCELERATOR_REQUIRED',
    severity: 'error',
    bad: { resources: { accelerator: undefined } },
    good: acc('L4'),
  },
  {
    rule: 'accelerator unknown',
    code: 'ACCELERATOR_TYPE_UNKNOWN',
    severity: 'error',
    bad: acc('H1000'),
    good: acc('H100_40GB'),
  },
  {
    rule: 'accelerator count',
    code: 'ACCELERATOR_COUNT_INVALID',
    severity: 'error',
    bad: acc('H100:0'),
    good: acc('H100:1'),
  },
  {
    rule: 'kv fraction (0, 1]',
    code: 'KV_CACHE_FRACTION_OUT_OF_RANGE',
    severity: 'error',
    bad: rt({ kv_cache_free_gpu_mem_fraction: 1.5 }),
    good: rt({ kv_cache_free_gpu_mem_fraction: 1 }),
  },
  {
    rule: 'kv fraction > 0',
    code: 'KV_CACHE_FRACTION_OUT_OF_RANGE',
    severity: 'error',
    bad: rt({ kv_cache_free_gpu_mem_fraction: 0 }),
    good: rt({ kv_cache_free_gpu_mem_fraction: 0.05 }),
  },
  {
    rule: 'total_token_limit >= 1',
    code: 'TOTAL_TOKEN_LIMIT_TOO_SMALL',
    severity: 'error',
    bad: rt({ total_token_limit: 0 }),
    good: rt({ total_token_limit: 1 }),
  },
  {
    rule: 'max_num_tokens clipped',
    code: 'MAX_NUM_TOKENS_ABOVE_SEQ_TIMES_BATCH',
    severity: 'warning',
    bad: b({ max_seq_len: 1024, max_batch_size: 4, max_num_tokens: 8192 }),
    good: b({ max_seq_len: 1024, max_batch_size: 8, max_num_tokens: 8192 }),
  },
  {
    rule: 'prompt longer than max_num_tokens',
    code: 'PROMPT_LONGER_THAN_MAX_NUM_TOKENS',
    severity: 'error',
    bad: {
      trt_llm: { build: { max_seq_len: 32768, max_num_tokens: 8192 }, runtime: { enable_chunked_context: false } },
    },
    good: {
      trt_llm: { build: { max_seq_len: 32768, max_num_tokens: 8192 }, runtime: { enable_chunked_context: true } },
    },
  },
  {
    rule: 'calib_max_seq_length > max_seq_len',
    code: 'CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN',
    severity: 'warning',
    bad: b({
      max_seq_len: 1024,
      max_num_tokens: 1024,
      quantization_type: 'fp8',
      num_builder_gpus: 1,
      quantization_config: { calib_max_seq_length: 2048 },
    }),
    good: b({
      max_seq_len: 1024,
      max_num_tokens: 1024,
      quantization_type: 'fp8',
      num_builder_gpus: 1,
      quantization_config: { calib_max_seq_length: 1024 },
    }),
  },
  {
    rule: 'default calib_max_seq_length > max_seq_len',
    code: 'CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN',
    severity: 'warning',
    bad: b({ max_seq_len: 1024, max_num_tokens: 1024, quantization_type: 'fp8', num_builder_gpus: 1 }),
    good: b({ max_seq_len: 1024, max_num_tokens: 1024, num_builder_gpus: 1 }),
  },
  {
    rule: 'LoRA only v1 decoder',
    code: 'LORA_REQUIRES_V1_DECODER',
    severity: 'error',
    bad: b({ base_model: 'encoder', lora_adapters: { a: { source: 'HF', repo: 'a/b' } } }),
    good: b({ lora_adapters: { a: { source: 'HF', repo: 'a/b' } } }),
  },
  {
    rule: 'LoRA target modules',
    code: 'LORA_TARGET_MODULE_UNKNOWN',
    severity: 'error',
    bad: b({
      lora_adapters: { a: { source: 'HF', repo: 'a/b' } },
      lora_configuration: { lora_target_modules: ['q_proj', 'atn_q'] },
    }),
    good: b({
      lora_adapters: { a: { source: 'HF', repo: 'a/b' } },
      lora_configuration: { lora_target_modules: ['q_proj', 'attn_q', 'mlp_gate_up'] },
    }),
  },
  {
    rule: 'LoRA config without adapters',
    code: 'LORA_CONFIGURATION_WITHOUT_ADAPTERS',
    severity: 'warning',
    bad: b({ lora_configuration: { max_lora_rank: 16 } }),
    good: b({ lora_adapters: { a: { source: 'HF', repo: 'a/b' } }, lora_configuration: { max_lora_rank: 16 } }),
  },
  {
    rule: 'S3 URI',
    code: 'S3_URI_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'S3', repo: 'my-bucket/llama' } }),
    good: b({ checkpoint_repository: { source: 'S3', repo: 's3://my-bucket/llama' } }),
  },
  {
    rule: 'GCS URI',
    code: 'GCS_URI_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'GCS', repo: 's3://bucket/x' } }),
    good: b({ checkpoint_repository: { source: 'GCS', repo: 'gs://bucket/x' } }),
  },
  {
    rule: 'Azure URL',
    code: 'AZURE_URL_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'AZURE', repo: 'https://example.com/c' } }),
    good: b({ checkpoint_repository: { source: 'AZURE', repo: 'https://acct.blob.core.windows.net/models/llama' } }),
  },
  {
    rule: 'REMOTE_URL must be http(s)',
    code: 'REMOTE_URL_INVALID',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'REMOTE_URL', repo: 'ftp://x/y.tar.gz' } }),
    good: b({ checkpoint_repository: { source: 'REMOTE_URL', repo: 'https://x.example/y.tar.gz' } }),
  },
  {
    rule: 'REMOTE_URL plain http',
    code: 'REMOTE_URL_PLAIN_HTTP',
    severity: 'warning',
    bad: b({ checkpoint_repository: { source: 'REMOTE_URL', repo: 'http://x.example/y.tar.gz' } }),
    good: b({ checkpoint_repository: { source: 'REMOTE_URL', repo: 'https://x.example/y.tar.gz' } }),
  },
  {
    rule: 'BASETEN_TRAINING revision',
    code: 'BASETEN_TRAINING_REVISION_REQUIRED',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'BASETEN_TRAINING', repo: 'job-1' } }),
    good: b({ checkpoint_repository: { source: 'BASETEN_TRAINING', repo: 'job-1', revision: 'run-3' } }),
  },
  {
    rule: 'LOCAL source',
    code: 'CHECKPOINT_SOURCE_UNSUPPORTED',
    severity: 'error',
    bad: b({ checkpoint_repository: { source: 'LOCAL', repo: '/models/x' } }),
    good: b({ checkpoint_repository: { source: 'S3', repo: 's3://bucket/models/x' } }),
  },
  {
    rule: 'runtime secret declared',
    code: 'RUNTIME_SECRET_NOT_DECLARED',
    severity: 'warning',
    bad: b({ checkpoint_repository: { source: 'HF', repo: 'a/b', runtime_secret_name: 'my_token' } }),
    good: {
      secrets: { my_token: null },
      trt_llm: { build: { checkpoint_repository: { source: 'HF', repo: 'a/b', runtime_secret_name: 'my_token' } } },
    },
  },
  {
    rule: 'legacy quantization type',
    code: 'QUANTIZATION_TYPE_REMOVED',
    severity: 'error',
    bad: b({ quantization_type: 'weights_int8' }),
    good: b({ quantization_type: 'no_quant' }),
  },
  {
    rule: 'memory below 10Gi',
    code: 'MEMORY_BELOW_TRT_LLM_MINIMUM',
    severity: 'warning',
    bad: { resources: { memory: '8Gi' } },
    good: { resources: { memory: '10Gi' } },
  },
  {
    rule: 'memory format',
    code: 'MEMORY_INVALID',
    severity: 'error',
    bad: { resources: { memory: '10 GB' } },
    good: { resources: { memory: '16G' } },
  },
  {
    rule: 'cpu format',
    code: 'CPU_INVALID',
    severity: 'error',
    bad: { resources: { cpu: 'two' } },
    good: { resources: { cpu: '500m' } },
  },
  {
    rule: 'instance_type format',
    code: 'INSTANCE_TYPE_INVALID',
    severity: 'error',
    bad: { resources: { accelerator: undefined, instance_type: 'H100-8x80' } },
    good: { resources: { accelerator: undefined, instance_type: 'H100:8x80' } },
  },
  {
    rule: 'inference_stack',
    code: 'INFERENCE_STACK_INVALID',
    severity: 'error',
    bad: { trt_llm: { inference_stack: 'v3' } },
    good: { trt_llm: { inference_stack: 'v1' } },
  },
];

describe('validation rules', () => {
  it.each(CASES)('$rule: $code', (c) => {
    const base = c.base ?? BASE_V1;
    const all = (r: ValidationResult): string[] => [...r.errors, ...r.warnings].map((d) => `${d.code} ${d.severity}`);
    const bad = check(c.bad, base);
    expect(all(bad).sort()).toEqual([`${c.code} ${c.severity}`, ...(c.also ?? [])].sort());
    expect(bad.valid).toBe(c.severity === 'warning' && !(c.also ?? []).some((a) => a.endsWith(' error')));
    const good = check(c.good, base);
    expect(all(good).sort()).toEqual([...(c.goodAlso ?? [])].sort());
    expect(codes(good, 'warning').concat(codes(good, 'error'))).not.toContain(c.code);
    expect(good.valid).toBe(true);
  });

  it('the base configs are valid with no diagnostics', () => {
    for (const base of [BASE_V1, BASE_V2]) {
      const r = check({}, base);
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      expect(r.valid).toBe(true);
    }
  });

  it('T2 points at the parallel count that was written and suggests a fix that matches', () => {
    const pp = check({
      resources: { accelerator: 'H100' },
      trt_llm: { build: { pipeline_parallel_count: 8 } },
    }).errors.find((e) => e.code === 'WORLD_SIZE_MISMATCH');
    expect(pp?.path).toBe('trt_llm.build.pipeline_parallel_count');
    expect(pp?.message).toContain('1 × 8 × 1 = 8, but resources.accelerator has 1 GPU(s)');
    expect(pp?.message).toContain(
      'accelerator H100:8 or pipeline_parallel_count 1, sequence_parallel_count 1 and tensor_parallel_count 1',
    );
    expect(pp?.message).not.toMatch(/or tensor_parallel_count 1\)/);
    const pp2 = check({
      resources: { accelerator: 'H100:8' },
      trt_llm: { build: { pipeline_parallel_count: 2 } },
    }).errors.find((e) => e.code === 'WORLD_SIZE_MISMATCH');
    expect(pp2?.message).toContain('or tensor_parallel_count 4)');
    const tp = check({
      resources: { accelerator: 'H100:8' },
      trt_llm: { build: { tensor_parallel_count: 4 } },
    }).errors.find((e) => e.code === 'WORLD_SIZE_MISMATCH');
    expect(tp).toMatchObject({ path: 'trt_llm.build.tensor_parallel_count' });
    expect(tp?.message).toContain('accelerator H100:4 or tensor_parallel_count 8)');
  });
});
