/**
 * Validated v1 config → normalized engine settings, pre-computing the adjustments trtllm-build
 * would otherwise make silently, and reporting what the pinned lane cannot produce.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { TrtLlmConfigV1 } from '../config/schema/trt-llm.js';
import type { GpuInfo } from '../gpu/catalog.js';
import { PRECISION_MIN_SM } from '../gpu/catalog.js';
import {
  lookaheadDraftLen,
  quantFormat,
  type EngineSettings,
  type LoraSpec,
  type QuantSpec,
} from '../toolchain/engine-settings.js';
import { ENCODER_MIN_MAX_NUM_TOKENS } from '../toolchain/launch-encoder.js';
import { calibrationDatasetDir } from '../toolchain/layout.js';
import { decoderFamilyFromArchitecture, inferDecoderFamily } from '../toolchain/model-family.js';
import { toolSurface, type FlagSpec } from '../toolchain/surface.js';
import { planError } from './plan-error.js';

const B = 'trt_llm.build';

/** HF module names → TensorRT-LLM LoRA module ids (lora_helper.py default mapping). */
export const HF_TO_TRT_LORA: Readonly<Record<string, string>> = {
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  qkv_proj: 'attn_qkv',
  o_proj: 'attn_dense',
  gate_proj: 'mlp_h_to_4h',
  down_proj: 'mlp_4h_to_h',
  up_proj: 'mlp_gate',
  gate_up_proj: 'mlp_gate_up',
};

/** Quantization settings, or a diagnostic when the lane has no such format. */
export function deriveQuant(build: TrtLlmConfigV1['build']): { quant: QuantSpec | null; errors: Diagnostic[] } {
  const format = quantFormat(build.quantization_type);
  if (format === 'unsupported') {
    return {
      quant: null,
      errors: [
        planError(
          'QUANTIZATION_NOT_IN_LANE',
          `${B}.quantization_type`,
          `${build.quantization_type} (NVFP4 on the MLP layers only) cannot be produced by the pinned lane: quantize.py of TensorRT-LLM 1.2 has no MLP-only format (its --qformat choices are nvfp4, fp8, fp8_pc_pt, int8_sq, int4_awq, w4a8_awq, int8_wo, int4_wo, full_prec); use fp4 or fp4_kv`,
        ),
      ],
    };
  }
  if (format === null) return { quant: null, errors: [] };
  const q = build.quantization_config;
  return {
    quant: {
      ...format,
      calibSize: q.calib_size,
      calibMaxSeqLength: q.calib_max_seq_length,
      calibDatasetDir: calibrationDatasetDir(q.calib_dataset),
    },
    errors: [],
  };
}

function deriveLora(build: TrtLlmConfigV1['build'], errors: Diagnostic[]): LoraSpec | null {
  const adapters = build.lora_adapters;
  if (!adapters || Object.keys(adapters).length === 0) return null;
  // The pinned surface lists the flag with its choices (derive-engine.test.ts pins them).
  const flag = toolSurface('trtllm-build').flags['--lora_target_modules'] as Required<FlagSpec>;
  const choices = new Set(flag.choices.map(String));
  const modules: string[] = [];
  (build.lora_configuration?.lora_target_modules ?? []).forEach((m, i) => {
    const trt = HF_TO_TRT_LORA[m] ?? m;
    if (!choices.has(trt)) {
      errors.push(
        planError(
          'LORA_TARGET_MODULE_UNKNOWN',
          `${B}.lora_configuration.lora_target_modules.${i}`,
          `${JSON.stringify(m)} is not a LoRA module of TensorRT-LLM 1.2; use one of ${[...choices].join(', ')} (or the HF names ${Object.keys(HF_TO_TRT_LORA).join(', ')})`,
        ),
      );
    } else if (!modules.includes(trt)) modules.push(trt);
  });
  return {
    adapterNames: Object.keys(adapters).sort(),
    maxLoraRank: build.lora_configuration?.max_lora_rank ?? 64,
    targetModules: modules,
  };
}

/** Engine settings of a v1 `decoder` or `encoder` build, or the reasons it cannot be built. */
export function deriveEngineSettings(
  cfg: TrtLlmConfigV1,
  gpu: GpuInfo,
  builderGpus: number,
  repo: string,
  architecture: string | undefined,
  assumptions: string[],
): { settings: EngineSettings; errors: Diagnostic[] } {
  const build = cfg.build;
  const encoder = build.base_model === 'encoder';
  const errors: Diagnostic[] = [];
  const { quant, errors: quantErrors } = deriveQuant(build);
  errors.push(...quantErrors);
  if (build.sequence_parallel_count > 1) {
    errors.push(
      planError(
        'SEQUENCE_PARALLEL_NOT_IN_LANE',
        `${B}.sequence_parallel_count`,
        `sequence_parallel_count ${build.sequence_parallel_count} cannot be produced by the pinned lane: its converters take --tp_size/--pp_size only; use tensor_parallel_count`,
      ),
    );
  }
  if (build.strongly_typed && !quant) {
    errors.push(
      planError(
        'STRONGLY_TYPED_NOT_IN_LANE',
        `${B}.strongly_typed`,
        'trtllm-build 1.2 has no strongly-typed switch: it builds strongly typed networks only for FP8/NVFP4 checkpoints; remove strongly_typed or quantize',
      ),
    );
  }
  const family = architecture !== undefined ? decoderFamilyFromArchitecture(architecture) : inferDecoderFamily(repo);
  assumptions.push(
    architecture !== undefined
      ? `model family ${family.family}: ${family.reason}`
      : `model family ${family.family}: ${family.reason} (config.json is not read offline)`,
  );
  const tp = build.tensor_parallel_count;
  let moeEp: number | null = null;
  if (build.moe_expert_parallel_option !== -1) {
    if (quant || family.family === 'generic') {
      errors.push(
        planError(
          'MOE_EXPERT_PARALLEL_NOT_IN_LANE',
          `${B}.moe_expert_parallel_option`,
          'quantize.py of the pinned lane has no expert-parallel flags; leave moe_expert_parallel_option at -1 (automatic) or build without quantization',
        ),
      );
    } else if (tp % build.moe_expert_parallel_option !== 0) {
      errors.push(
        planError(
          'MOE_EXPERT_PARALLEL_NOT_DIVISIBLE',
          `${B}.moe_expert_parallel_option`,
          `convert_checkpoint.py needs moe_tp_size x moe_ep_size == tp_size: tensor_parallel_count ${tp} is not divisible by ${build.moe_expert_parallel_option}`,
        ),
      );
    } else moeEp = build.moe_expert_parallel_option;
  }
  const lora = deriveLora(build, errors);
  if (lora && encoder) {
    errors.push(
      planError(
        'LORA_NOT_FOR_ENCODER',
        `${B}.lora_adapters`,
        'LoRA adapters are served by decoders only; remove lora_adapters for base_model encoder',
      ),
    );
  }
  const spec = build.speculator;
  const lookahead =
    spec &&
    spec.lookahead_windows_size !== null &&
    spec.lookahead_ngram_size !== null &&
    spec.lookahead_verification_set_size !== null
      ? {
          windowSize: spec.lookahead_windows_size,
          ngramSize: spec.lookahead_ngram_size,
          verificationSetSize: spec.lookahead_verification_set_size,
          maxDraftLen: spec.num_draft_tokens ?? 0,
        }
      : null;
  if (lookahead) {
    const needed = lookaheadDraftLen(lookahead.windowSize, lookahead.ngramSize, lookahead.verificationSetSize);
    if (lookahead.maxDraftLen > needed) {
      assumptions.push(
        `engine max_draft_len ${lookahead.maxDraftLen} (speculator.num_draft_tokens) leaves headroom over the ${needed} that (W, N, V) = (${lookahead.windowSize}, ${lookahead.ngramSize}, ${lookahead.verificationSetSize}) needs at runtime`,
      );
    }
  }
  if (lookahead && build.gather_all_token_logits) {
    errors.push(
      planError(
        'LOGITS_WITH_SPECULATION',
        `${B}.gather_all_token_logits`,
        'trtllm-build rejects --gather_all_token_logits together with --max_draft_len > 0 (lookahead); disable one of them',
      ),
    );
  }
  const pagedKvCache = encoder ? false : build.plugin_configuration.paged_kv_cache;
  const pagedContextFmha = encoder ? false : build.plugin_configuration.use_paged_context_fmha && pagedKvCache;
  // trtllm-build keeps FP8 context FMHA only with FP8/NVFP4 weights on SM >= 89 and, with paged
  // context FMHA, only together with an FP8 KV cache (which also forces it on).
  const fp8ContextFmha =
    quant !== null && gpu.sm >= PRECISION_MIN_SM.fp8 && (!pagedContextFmha || quant.kvCacheDtype === 'fp8');
  let maxSeqLen = build.max_seq_len;
  if (encoder && maxSeqLen !== null) {
    assumptions.push(
      `build.max_seq_len ${maxSeqLen} is not used for encoder models: taken from config.json max_position_embeddings`,
    );
    maxSeqLen = null;
  }
  let maxNumTokens = build.max_num_tokens;
  if (encoder && maxNumTokens < ENCODER_MIN_MAX_NUM_TOKENS) {
    assumptions.push(
      `build.max_num_tokens ${maxNumTokens} raised to ${ENCODER_MIN_MAX_NUM_TOKENS}, the minimum for encoder models`,
    );
    maxNumTokens = ENCODER_MIN_MAX_NUM_TOKENS;
  }
  if (lookahead) {
    const floor = build.max_batch_size * (lookahead.maxDraftLen + 1);
    if (maxNumTokens < floor) {
      assumptions.push(
        `build.max_num_tokens ${maxNumTokens} raised to ${floor} = max_batch_size x (max_draft_len + 1), as trtllm-build requires for speculative decoding`,
      );
      maxNumTokens = floor;
    }
  }
  if (maxSeqLen !== null && maxNumTokens > maxSeqLen * build.max_batch_size) {
    const clipped = maxSeqLen * build.max_batch_size;
    assumptions.push(
      `build.max_num_tokens ${maxNumTokens} clipped to max_seq_len x max_batch_size = ${clipped}, as trtllm-build does`,
    );
    maxNumTokens = clipped;
  }
  if (maxSeqLen === null && !encoder) {
    assumptions.push('build.max_seq_len not set: trtllm-build deduces it from config.json max_position_embeddings');
  }
  const settings: EngineSettings = {
    family: family.family,
    tp,
    pp: build.pipeline_parallel_count,
    moeEp,
    quant,
    maxBatchSize: build.max_batch_size,
    maxNumTokens,
    maxSeqLen,
    pagedKvCache,
    pagedContextFmha,
    fp8ContextFmha,
    lookahead,
    lora: encoder ? null : lora,
    gatherAllTokenLogits: build.gather_all_token_logits,
    maxPromptEmbeddingTableSize: build.max_prompt_embedding_table_size,
    workers: Math.max(1, Math.min(builderGpus, tp * build.pipeline_parallel_count)),
  };
  return { settings, errors };
}
