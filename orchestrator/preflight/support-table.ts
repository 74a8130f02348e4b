/**
 * What the pinned TensorRT-LLM 1.2 line supports per HF architecture (`architectures[0]`), per
 * stack and weight format. Transcribed from shared/reference/preflight/support-1.2.md §1 (sources
 * cited there: [MAP] models/__init__.py MODEL_MAP, [TORCH] _torch/models registry, [PREC]
 * precision.md, [QDOC] quantization.md, the family READMEs). Pure data.
 */

/** `yes`: documented; `limited`: possible with a documented limit; `no`: hard failure; `unknown`: no evidence. */
export type Support = 'yes' | 'limited' | 'no' | 'unknown';

/** Weight formats pre-flight distinguishes (from `quantization_type`). */
export type WeightFormat = 'bf16' | 'fp8' | 'nvfp4';

export interface StackSupport {
  /** Does the stack load the architecture at all. */
  readonly arch: Support;
  readonly fp8: Support;
  readonly nvfp4: Support;
  /** Why, in a few words (shown in messages). */
  readonly note: string;
}

export interface ArchSupport {
  readonly v1: StackSupport;
  readonly v2: StackSupport;
  /** Served as an encoder (embeddings / classification), not a decoder. */
  readonly encoder: boolean;
}

const s = (arch: Support, fp8: Support, nvfp4: Support, note = ''): StackSupport => ({ arch, fp8, nvfp4, note });
const NO_V2 = s('no', 'no', 'no', 'not registered on the 1.2 PyTorch backend');

/** The table. Keys are exact `architectures[0]` values. */
export const ARCH_SUPPORT: Readonly<Record<string, ArchSupport>> = {
  LlamaForCausalLM: { v1: s('yes', 'yes', 'yes'), v2: s('yes', 'yes', 'yes'), encoder: false },
  MistralForCausalLM: {
    v1: s('yes', 'yes', 'unknown', 'precision.md lists no NVFP4 for Mistral'),
    v2: s('yes', 'yes', 'unknown', 'quantization.md lists FP8, FP8 KV, W4A16 AWQ for Mistral'),
    encoder: false,
  },
  MixtralForCausalLM: { v1: s('yes', 'yes', 'yes'), v2: s('yes', 'yes', 'yes'), encoder: false },
  Qwen2ForCausalLM: {
    v1: s('yes', 'yes', 'no', 'the Qwen README marks NVFP4 "-" for Qwen2.5 on the engine path'),
    v2: s('yes', 'yes', 'yes'),
    encoder: false,
  },
  Qwen3ForCausalLM: {
    v1: s('yes', 'limited', 'limited', 'v1 FP8/NVFP4 for Qwen3 is documented only for the PyTorch flow'),
    v2: s('yes', 'yes', 'yes'),
    encoder: false,
  },
  Qwen3MoeForCausalLM: {
    v1: s(
      'limited',
      'limited',
      'limited',
      'Qwen3-MoE on the engine path has open issues (#5978, #6360, #6613); use inference_stack v2',
    ),
    v2: s('yes', 'yes', 'yes'),
    encoder: false,
  },
  DeepseekV3ForCausalLM: {
    v1: s('no', 'no', 'no', 'DeepseekV3ForCausalLM is not in the 1.2 MODEL_MAP (PyTorch only)'),
    v2: s('yes', 'yes', 'yes'),
    encoder: false,
  },
  GptOssForCausalLM: {
    v1: s('no', 'no', 'no', 'GptOssForCausalLM is not in the 1.2 MODEL_MAP (PyTorch only)'),
    v2: s('yes', 'unknown', 'unknown', 'the checkpoint ships MXFP4 experts; re-quantizing is not documented'),
    encoder: false,
  },
  Gemma2ForCausalLM: {
    v1: s('yes', 'limited', 'unknown', 'every Gemma README quantization example is Gemma 1'),
    v2: NO_V2,
    encoder: false,
  },
  Gemma3ForCausalLM: {
    v1: s('yes', 'unknown', 'unknown', 'the Gemma README shows gemma-3 text models in bf16 only'),
    v2: s('yes', 'yes', 'unknown'),
    encoder: false,
  },
  Gemma3ForConditionalGeneration: {
    v1: s('no', 'no', 'no', 'only the Gemma 3 text model (Gemma3ForCausalLM) is in the 1.2 MODEL_MAP'),
    v2: s('yes', 'yes', 'unknown'),
    encoder: false,
  },
  Phi3ForCausalLM: {
    v1: s('yes', 'yes', 'unknown'),
    v2: s('yes', 'unknown', 'unknown', 'quantization.md lists FP8 KV and W4A8 AWQ for Phi'),
    encoder: false,
  },
  BertModel: { v1: s('yes', 'limited', 'no', 'precision.md lists no quantization for BERT'), v2: NO_V2, encoder: true },
  BertForMaskedLM: {
    v1: s('limited', 'no', 'no', 'built as BertModel; the MLM head is dropped'),
    v2: NO_V2,
    encoder: true,
  },
  BertForSequenceClassification: { v1: s('yes', 'no', 'no'), v2: s('yes', 'no', 'no'), encoder: true },
  RobertaModel: { v1: s('yes', 'no', 'no'), v2: NO_V2, encoder: true },
  RobertaForSequenceClassification: { v1: s('yes', 'no', 'no'), v2: NO_V2, encoder: true },
  XLMRobertaForSequenceClassification: {
    v1: s('limited', 'no', 'no', 'built through the RoBERTa converter; same topology, not verified upstream'),
    v2: NO_V2,
    encoder: true,
  },
  WhisperForConditionalGeneration: { v1: s('yes', 'no', 'no'), v2: NO_V2, encoder: false },
};

/** The table entry for an architecture, or null when pre-flight has no facts about it. */
export function archSupport(architecture: string): ArchSupport | null {
  return Object.prototype.hasOwnProperty.call(ARCH_SUPPORT, architecture) ? (ARCH_SUPPORT[architecture] ?? null) : null;
}

/** Architectures the stack loads (for "use one of" hints). */
export function supportedArchitectures(stack: 'v1' | 'v2'): string[] {
  return Object.entries(ARCH_SUPPORT)
    .filter(([, v]) => v[stack].arch !== 'no')
    .map(([k]) => k);
}
