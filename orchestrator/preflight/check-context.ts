/**
 * Context-length and format-dimension checks (pure), support-1.2.md §4: `max_seq_len` against
 * `max_position_embeddings` × the RoPE factor TensorRT-LLM applies (none for llama3/yarn/su/
 * longrope; Gemma-3's linear factor is already included), Gemma-2's 4096 cap on v1, and the
 * GEMM dimensions the FP8/NVFP4 kernels need.
 */
import { err, warn, type Finding } from './finding.js';
import type { ModelFacts } from './model-facts.js';
import type { PreflightSettings } from './settings.js';

const NO_FACTOR = new Set(['llama3', 'yarn', 'su', 'longrope', 'default', 'mrope']);

/** The longest sequence the model supports as TensorRT-LLM 1.2 computes it, or null when unknown. */
export function modelMaxSeqLen(f: ModelFacts, stack: 'v1' | 'v2'): number | null {
  const base = f.maxPositionEmbeddings;
  if (base === null) return null;
  const r = f.ropeScaling;
  const factor = r === null || NO_FACTOR.has(r.type) || f.modelType.startsWith('gemma3') ? 1 : r.factor;
  const limit = Math.floor(base * factor);
  if (stack === 'v1' && f.architecture === 'Gemma2ForCausalLM') return Math.min(limit, 4096);
  return limit;
}

/** max_seq_len findings (decoders only: encoders take the model's length). */
export function checkContext(f: ModelFacts, s: PreflightSettings): Finding[] {
  if (s.baseModel !== 'decoder') return [];
  const limit = modelMaxSeqLen(f, s.stack);
  if (limit === null || s.maxSeqLen === null || s.maxSeqLen <= limit) return [];
  const why =
    f.architecture === 'Gemma2ForCausalLM' && s.stack === 'v1'
      ? 'the Gemma README caps Gemma-2 at 4096 on the engine path'
      : f.ropeScaling !== null && NO_FACTOR.has(f.ropeScaling.type) && f.ropeScaling.type !== 'default'
        ? `max_position_embeddings; TensorRT-LLM does not extend it for rope_scaling ${f.ropeScaling.type}`
        : 'max_position_embeddings × RoPE factor';
  const effect =
    s.stack === 'v1'
      ? 'trtllm-build only warns and the model degrades past it'
      : 'the PyTorch backend silently clamps it';
  return [
    err(
      'PREFLIGHT_MAX_SEQ_LEN_TOO_LONG',
      s.maxSeqLenPath,
      `max_seq_len ${s.maxSeqLen} exceeds the ${limit} tokens the model supports (${why}); ${effect}: set max_seq_len to ${limit} or less`,
    ),
  ];
}

/** Dimensions the chosen weight format needs: FP8/NVFP4 GEMMs want K and N multiples of 16. */
export function checkFormatDims(f: ModelFacts, s: PreflightSettings): Finding[] {
  const out: Finding[] = [];
  if (s.weightFormat !== 'bf16') {
    const ffn = f.moe !== null ? f.moe.expertIntermediateSize : f.intermediateSize;
    const bad = [
      ['hidden_size', f.hiddenSize],
      [f.moe !== null ? 'moe_intermediate_size' : 'intermediate_size', ffn / Math.max(1, s.tp)],
    ].filter(([, v]) => typeof v === 'number' && v > 0 && v % 16 !== 0);
    if (bad.length > 0) {
      const list = bad.map(([k, v]) => `${k} ${v}${k === 'hidden_size' ? '' : ' per GPU'}`).join(', ');
      out.push(
        err(
          'PREFLIGHT_FORMAT_DIMENSIONS',
          'trt_llm.build.quantization_type',
          `${s.weightFormat === 'fp8' ? 'FP8' : 'NVFP4'} GEMMs need dimensions that are multiples of 16, but the model has ${list}; use quantization_type: no_quant`,
        ),
      );
    }
  }
  if (f.vocabSize % s.tp !== 0) {
    out.push(
      warn(
        'PREFLIGHT_VOCAB_PADDED',
        s.tpPath,
        `vocab_size ${f.vocabSize} is not divisible by tensor parallel size ${s.tp}; the converter pads the embedding and LM head to ${Math.ceil(f.vocabSize / s.tp) * s.tp} rows`,
      ),
    );
  }
  return out;
}
