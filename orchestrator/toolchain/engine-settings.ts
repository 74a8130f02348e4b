/**
 * The normalized settings every argv and launch-config builder reads: what the planner derives
 * from a validated config (defaults filled, silent TensorRT-LLM adjustments pre-computed).
 */
import type { QuantizationType, BatchSchedulerPolicy, WebserverRoute } from '../config/schema/enums.js';
import type { BertModelClass, DecoderFamily } from './model-family.js';

/** Quantization as quantize.py spells it. */
export interface QuantSpec {
  readonly qformat: 'fp8' | 'nvfp4';
  readonly kvCacheDtype: 'fp8' | null;
  readonly calibSize: number;
  readonly calibMaxSeqLength: number;
  /** Workspace dir of the fetched calibration dataset. */
  readonly calibDatasetDir: string;
}

/** Lookahead (W, N, V) and the draft length the engine is built for. */
export interface LookaheadSpec {
  readonly windowSize: number;
  readonly ngramSize: number;
  readonly verificationSetSize: number;
  readonly maxDraftLen: number;
}

/** LoRA engine settings; adapters in the order they are passed to --lora_dir. */
export interface LoraSpec {
  readonly adapterNames: readonly string[];
  readonly maxLoraRank: number;
  /** TensorRT-LLM module names; empty: inferred by trtllm-build from the first adapter. */
  readonly targetModules: readonly string[];
}

/** Everything the v1 engine builders need. */
export interface EngineSettings {
  readonly family: DecoderFamily;
  readonly tp: number;
  readonly pp: number;
  /** Expert-parallel size for MoE conversion, or null for automatic. */
  readonly moeEp: number | null;
  readonly quant: QuantSpec | null;
  readonly maxBatchSize: number;
  readonly maxNumTokens: number;
  readonly maxSeqLen: number | null;
  readonly pagedKvCache: boolean;
  readonly pagedContextFmha: boolean;
  readonly fp8ContextFmha: boolean;
  readonly lookahead: LookaheadSpec | null;
  readonly lora: LoraSpec | null;
  readonly gatherAllTokenLogits: boolean;
  readonly maxPromptEmbeddingTableSize: number;
  /** trtllm-build / converter workers: min(builder GPUs, world size). */
  readonly workers: number;
}

/** Runtime settings of a v1 decoder launch. */
export interface DecoderRuntimeSettings {
  readonly kvCacheFreeGpuMemFraction: number;
  readonly kvCacheHostMemoryBytes: number | null;
  readonly enableChunkedContext: boolean;
  readonly batchSchedulerPolicy: BatchSchedulerPolicy;
}

/** BERT-family encoder build settings. */
export interface BertSettings {
  readonly modelClass: BertModelClass;
  readonly tp: number;
  /** trtllm-build workers: min(builder GPUs, tp). */
  readonly workers: number;
  readonly maxBatchSize: number;
  readonly maxNumTokens: number;
  readonly maxSeqLen: number | null;
}

/** Encoder launch settings (text-embeddings-router). */
export interface EncoderLaunchSettings {
  readonly kind: 'encoder' | 'encoder_bert';
  readonly route: WebserverRoute;
  readonly maxBatchSize: number;
  readonly maxNumTokens: number;
  readonly maxSeqLen: number | null;
}

/** quantization_type → quantize.py flags; null for no_quant; 'unsupported' when the lane has no format. */
export function quantFormat(
  type: QuantizationType,
): Pick<QuantSpec, 'qformat' | 'kvCacheDtype'> | null | 'unsupported' {
  switch (type) {
    case 'no_quant':
      return null;
    case 'fp8':
      return { qformat: 'fp8', kvCacheDtype: null };
    case 'fp8_kv':
      return { qformat: 'fp8', kvCacheDtype: 'fp8' };
    case 'fp4':
      return { qformat: 'nvfp4', kvCacheDtype: null };
    case 'fp4_kv':
      return { qformat: 'nvfp4', kvCacheDtype: 'fp8' };
    case 'fp4_mlp_only':
      return 'unsupported';
  }
}

/** Lookahead draft length: (0 if N == 1 else N - 2) + (W - 1 + V) * (N - 1). */
export function lookaheadDraftLen(w: number, n: number, v: number): number {
  return (n === 1 ? 0 : n - 2) + (w - 1 + v) * (n - 1);
}
