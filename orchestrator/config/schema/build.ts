/** `trt_llm.build`: how the engine is compiled (Truss `TrussTRTLLMBuildConfiguration`). */
import * as z from 'zod';
import { CheckpointRepository } from './checkpoint.js';
import { BaseModel, QuantizationType, SpecDecMode } from './enums.js';

/** Calibration settings for FP8/FP4 quantization (`quantization_config`). */
export const QuantizationConfig = z.object({
  /** Number of calibration samples; 64..16384, a multiple of 64. */
  calib_size: z.int().default(1024),
  /** HF dataset id used for calibration (split `train`, column `text`). */
  calib_dataset: z.string().min(1).default('abisee/cnn_dailymail'),
  /** Tokens per calibration sample; 64..16384, a multiple of 64. */
  calib_max_seq_length: z.int().default(1536),
});
export type QuantizationConfig = z.infer<typeof QuantizationConfig>;

/** `plugin_configuration` (v1 engine build plugins). */
export const PluginConfiguration = z.object({
  paged_kv_cache: z.boolean().default(true),
  use_paged_context_fmha: z.boolean().default(true),
  /** No effect since Jan 2026 (auto-enabled). */
  use_fp8_context_fmha: z.boolean().default(false),
});
export type PluginConfiguration = z.infer<typeof PluginConfiguration>;

/** Lookahead speculative decoding (`speculator`); `num_draft_tokens` is computed when unset. */
export const Speculator = z.object({
  speculative_decoding_mode: SpecDecMode,
  num_draft_tokens: z.int().min(1).nullable().default(null),
  lookahead_windows_size: z.int().min(1).nullable().default(null),
  lookahead_ngram_size: z.int().min(1).nullable().default(null),
  lookahead_verification_set_size: z.int().min(1).nullable().default(null),
  enable_b10_lookahead: z.boolean().nullable().default(false),
});
export type Speculator = z.infer<typeof Speculator>;

/** LoRA engine settings (`lora_configuration`). */
export const LoraConfiguration = z.object({
  max_lora_rank: z.int().min(1).default(64),
  /** TensorRT-LLM module names (`attn_q`, …) or the HF names mapping to them (`q_proj`, …). */
  lora_target_modules: z.array(z.string()).default([]),
});
export type LoraConfiguration = z.infer<typeof LoraConfiguration>;

/** `trt_llm.build` with Truss's defaults. Sizes are token / sequence counts. */
export const TrtLlmBuild = z.object({
  base_model: BaseModel.default('decoder'),
  /** null: inferred from config.json `max_position_embeddings`. */
  max_seq_len: z.int().min(1).max(1048576).nullable().default(null),
  max_batch_size: z.int().min(1).max(2048).default(256),
  max_num_tokens: z.int().gt(64).max(1048576).default(8192),
  max_beam_width: z.int().min(1).max(1).default(1),
  max_prompt_embedding_table_size: z.int().min(0).default(0),
  checkpoint_repository: CheckpointRepository.nullable().default(null),
  gather_all_token_logits: z.boolean().default(false),
  strongly_typed: z.boolean().default(false),
  quantization_type: QuantizationType.default('no_quant'),
  quantization_config: QuantizationConfig.prefault({}),
  tensor_parallel_count: z.int().min(1).default(1),
  pipeline_parallel_count: z.int().min(1).default(1),
  /** -1: automatic. */
  moe_expert_parallel_option: z.int().default(-1),
  sequence_parallel_count: z.int().min(1).default(1),
  plugin_configuration: PluginConfiguration.prefault({}),
  /** GPUs used for quantization/build; null: the deployment's GPU count. */
  num_builder_gpus: z.int().min(1).nullable().default(null),
  speculator: Speculator.nullable().default(null),
  /** Adapter name (becomes the OpenAI `model` value) → checkpoint. */
  lora_adapters: z.record(z.string(), CheckpointRepository).nullable().default(null),
  lora_configuration: LoraConfiguration.nullable().default(null),
  /** v2: skip the build and use an engine supplied another way. */
  skip_build_result: z.boolean().default(false),
});
export type TrtLlmBuild = z.infer<typeof TrtLlmBuild>;
