/**
 * Enumerations of the Truss `trt_llm` schema (value strings exactly as they appear in YAML), plus
 * the legacy values Truss or its backend rejects, so the validator can say how to migrate.
 */
import * as z from 'zod';

/** `build.base_model`: which runtime serves the engine (Briton decoder, BEI, BEI-Bert). */
export const BaseModel = z.enum(['decoder', 'encoder', 'encoder_bert']);
export type BaseModel = z.infer<typeof BaseModel>;
/** Model-specific names renamed to `decoder` (Truss C2) and `whisper` (C3). */
export const LEGACY_BASE_MODELS: readonly string[] = ['palmyra', 'qwen', 'llama', 'mistral', 'deepseek', 'whisper'];

/** `build.quantization_type`. */
export const QuantizationType = z.enum(['no_quant', 'fp8', 'fp8_kv', 'fp4', 'fp4_kv', 'fp4_mlp_only']);
export type QuantizationType = z.infer<typeof QuantizationType>;
/** Weight-only / SmoothQuant types the backend rejects (and `weights_kv_int4`, renamed in 2024). */
export const LEGACY_QUANTIZATION_TYPES: readonly string[] = [
  'weights_int8',
  'weights_kv_int8',
  'weights_int4',
  'weights_int4_kv_int8',
  'weights_kv_int4',
  'smooth_quant',
];
/** FP8 family: needs SM >= 89. */
export const FP8_FAMILY: readonly QuantizationType[] = ['fp8', 'fp8_kv', 'fp4', 'fp4_kv', 'fp4_mlp_only'];
/** FP4 family: needs SM >= 100. */
export const FP4_FAMILY: readonly QuantizationType[] = ['fp4', 'fp4_kv', 'fp4_mlp_only'];

/** `checkpoint_repository.source` (LOCAL is documented as unsupported and rejected here). */
export const CheckpointSource = z.enum(['HF', 'GCS', 'S3', 'AZURE', 'REMOTE_URL', 'BASETEN_TRAINING']);
export type CheckpointSource = z.infer<typeof CheckpointSource>;

/** `runtime.batch_scheduler_policy` (v1). */
export const BatchSchedulerPolicy = z.enum(['max_utilization', 'guaranteed_no_evict']);
export type BatchSchedulerPolicy = z.infer<typeof BatchSchedulerPolicy>;

/** `speculator.speculative_decoding_mode`; DRAFT_TOKENS_EXTERNAL is discontinued. */
export const SpecDecMode = z.enum(['LOOKAHEAD_DECODING']);
export type SpecDecMode = z.infer<typeof SpecDecMode>;

/** `runtime.webserver_default_route` (v1 encoders). */
export const WebserverRoute = z.enum(['/v1/embeddings', '/rerank', '/predict', '/predict_tokens']);
export type WebserverRoute = z.infer<typeof WebserverRoute>;
