/**
 * The build settings pre-flight checks against, read once from a validated config and its plan
 * (pure). Each value carries the config path a diagnostic about it should point at.
 */
import type { ValidatedConfig } from '../config/validate.js';
import { gpuInfo, type GpuInfo } from '../gpu/catalog.js';
import { HF_TO_TRT_LORA } from '../plan/derive-engine.js';
import type { BaseModel, BuildPlan, FetchItem, InferenceStack } from '../plan/types.js';
import type { WeightFormat } from './support-table.js';

/** HF module names → TensorRT-LLM LoRA module ids: the planner's table (one source). */
export { HF_TO_TRT_LORA };

export interface PreflightSettings {
  readonly stack: InferenceStack;
  readonly baseModel: BaseModel;
  readonly gpu: GpuInfo;
  readonly gpuCount: number;
  readonly tp: number;
  readonly tpPath: string;
  readonly pp: number;
  /** Expert parallelism when set (v1 `moe_expert_parallel_option`, v2 `moe_expert_parallel_size`), else null. */
  readonly ep: number | null;
  readonly epPath: string;
  readonly quantizationType: string;
  readonly weightFormat: WeightFormat;
  readonly kvFp8: boolean;
  /** The plan has a quantize.py step (calibration on the builder GPUs). */
  readonly quantizes: boolean;
  readonly builderGpus: number;
  readonly calibSize: number;
  readonly calibMaxSeqLength: number;
  /** null: deduced from config.json. */
  readonly maxSeqLen: number | null;
  readonly maxSeqLenPath: string;
  readonly maxBatchSize: number;
  readonly maxNumTokens: number;
  readonly freeGpuMemFraction: number;
  readonly lora: { readonly maxRank: number; readonly targetModules: readonly string[] } | null;
  /** The checkpoint and adapters as the fetch step names them (secret names, never values). */
  readonly checkpoint: FetchItem | null;
  readonly adapters: readonly FetchItem[];
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function rec(v: unknown): Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Settings of a valid config and its plan. */
export function preflightSettings(config: ValidatedConfig, plan: BuildPlan): PreflightSettings {
  const t = config.trtLlm;
  const b = t.build;
  const q = b.quantization_type;
  const weightFormat: WeightFormat = q === 'fp8' || q === 'fp8_kv' ? 'fp8' : q.startsWith('fp4') ? 'nvfp4' : 'bf16';
  const fetch = plan.steps.find((s) => s.kind === 'fetch');
  const items = fetch !== undefined && fetch.kind === 'fetch' ? fetch.items : [];
  const common = {
    stack: plan.stack,
    baseModel: plan.baseModel,
    gpu: gpuInfo(plan.accelerator.type),
    gpuCount: plan.accelerator.count,
    pp: b.pipeline_parallel_count,
    quantizationType: q,
    weightFormat,
    kvFp8: q === 'fp8_kv' || q === 'fp4_kv',
    quantizes: plan.steps.some((s) => s.kind === 'quantize'),
    builderGpus: plan.builder.gpuCount,
    calibSize: b.quantization_config.calib_size,
    calibMaxSeqLength: b.quantization_config.calib_max_seq_length,
    lora:
      b.lora_adapters !== null && Object.keys(b.lora_adapters).length > 0
        ? {
            maxRank: b.lora_configuration?.max_lora_rank ?? 64,
            targetModules: (b.lora_configuration?.lora_target_modules ?? []).map((m) => HF_TO_TRT_LORA[m] ?? m),
          }
        : null,
    checkpoint: items.find((i) => i.role === 'checkpoint') ?? null,
    adapters: items.filter((i) => i.role === 'lora_adapter'),
  };
  if (t.inference_stack === 'v2') {
    const pk = t.runtime.patch_kwargs;
    const ep = num(pk['moe_expert_parallel_size']);
    return {
      ...common,
      tp: t.runtime.tensor_parallel_size,
      tpPath: 'trt_llm.runtime.tensor_parallel_size',
      ep: ep !== null && ep > 0 ? ep : null,
      epPath: 'trt_llm.runtime.patch_kwargs.moe_expert_parallel_size',
      maxSeqLen: t.runtime.max_seq_len,
      maxSeqLenPath: 'trt_llm.runtime.max_seq_len',
      maxBatchSize: t.runtime.max_batch_size,
      maxNumTokens: t.runtime.max_num_tokens,
      freeGpuMemFraction: num(rec(pk['kv_cache_config'])['free_gpu_memory_fraction']) ?? 0.9,
    };
  }
  return {
    ...common,
    tp: b.tensor_parallel_count,
    tpPath: 'trt_llm.build.tensor_parallel_count',
    ep: b.moe_expert_parallel_option > 0 ? b.moe_expert_parallel_option : null,
    epPath: 'trt_llm.build.moe_expert_parallel_option',
    maxSeqLen: b.max_seq_len,
    maxSeqLenPath: 'trt_llm.build.max_seq_len',
    maxBatchSize: b.max_batch_size,
    maxNumTokens: b.max_num_tokens,
    freeGpuMemFraction: t.runtime.kv_cache_free_gpu_mem_fraction,
  };
}
