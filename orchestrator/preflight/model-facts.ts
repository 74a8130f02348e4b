/**
 * `config.json` → the model facts pre-flight needs (pure). Handles nested `text_config` (Gemma-3,
 * VLMs) with the transformers defaults that apply when keys are missing, `head_dim` that is not
 * hidden/heads, missing `num_key_value_heads` (MHA), MLA (DeepSeek) and MoE key spellings, and
 * pre-quantized checkpoints (`quantization_config`). See preflight/README.md.
 */

/** RoPE scaling as declared (`rope_type` or the older `type`). */
export interface RopeScaling {
  readonly type: string;
  readonly factor: number;
  readonly originalMaxPositionEmbeddings: number | null;
}

/** Multi-head latent attention (DeepSeek-V2/V3): the KV cache holds a compressed latent. */
export interface MlaFacts {
  readonly kvLoraRank: number;
  readonly qLoraRank: number | null;
  readonly qkRopeHeadDim: number;
  readonly qkNopeHeadDim: number;
  readonly vHeadDim: number;
}

/** Mixture of experts. */
export interface MoeFacts {
  readonly numExperts: number;
  readonly expertsPerToken: number;
  /** FFN width of one expert. */
  readonly expertIntermediateSize: number;
  readonly sharedExperts: number;
  /** Leading layers that keep a dense MLP (DeepSeek `first_k_dense_replace`). */
  readonly denseLayers: number;
}

/** What pre-flight knows about a model from its config.json. */
export interface ModelFacts {
  /** `architectures[0]`, e.g. `LlamaForCausalLM`. */
  readonly architecture: string;
  /** `model_type` of the text model (e.g. `gemma3_text` inside a Gemma-3 VLM), or ''. */
  readonly modelType: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** KV heads (= numHeads when the config has none: MHA). Ignored for the KV cache of MLA models. */
  readonly numKvHeads: number;
  readonly headDim: number;
  /** Dense MLP width (0 when unknown). */
  readonly intermediateSize: number;
  readonly vocabSize: number;
  /** null when the config has none (the builder then assumes 2048). */
  readonly maxPositionEmbeddings: number | null;
  readonly ropeScaling: RopeScaling | null;
  readonly tieWordEmbeddings: boolean;
  /** `torch_dtype` / `dtype` as written, or null (gpt-oss, old BERT files). */
  readonly torchDtype: string | null;
  readonly moe: MoeFacts | null;
  readonly mla: MlaFacts | null;
  /** `quantization_config.quant_method` of a pre-quantized checkpoint (`fp8`, `mxfp4`, …), or null. */
  readonly preQuantized: string | null;
  /** Sliding attention window when the model really uses one, else null. */
  readonly slidingWindow: number | null;
  /** The config has a nested `text_config` (multimodal wrapper). */
  readonly multimodal: boolean;
}

export type ParseFactsResult =
  | { readonly ok: true; readonly facts: ModelFacts }
  | { readonly ok: false; readonly message: string };

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function posInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
}

function firstInt(o: Obj, keys: readonly string[]): number | null {
  for (const k of keys) {
    const v = posInt(o[k]);
    if (v !== null) return v;
  }
  return null;
}

/** transformers defaults for keys a nested `text_config` may leave out (by text model_type). */
const TEXT_DEFAULTS: Readonly<Record<string, Obj>> = {
  gemma3_text: {
    vocab_size: 262208,
    max_position_embeddings: 131072,
    hidden_size: 2304,
    num_hidden_layers: 26,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    head_dim: 256,
    intermediate_size: 9216,
  },
};

function ropeOf(v: unknown): RopeScaling | null {
  if (!isObj(v)) return null;
  const type =
    typeof v['rope_type'] === 'string' ? v['rope_type'] : typeof v['type'] === 'string' ? v['type'] : 'default';
  const factor = typeof v['factor'] === 'number' && Number.isFinite(v['factor']) && v['factor'] > 0 ? v['factor'] : 1;
  return { type, factor, originalMaxPositionEmbeddings: posInt(v['original_max_position_embeddings']) };
}

function moeOf(o: Obj): MoeFacts | null {
  const numExperts = firstInt(o, ['num_local_experts', 'num_experts', 'n_routed_experts']);
  if (numExperts === null || numExperts < 2) return null;
  return {
    numExperts,
    expertsPerToken: firstInt(o, ['num_experts_per_tok', 'experts_per_token', 'moe_topk']) ?? 1,
    expertIntermediateSize: firstInt(o, ['moe_intermediate_size', 'intermediate_size']) ?? 0,
    sharedExperts: firstInt(o, ['n_shared_experts']) ?? 0,
    denseLayers:
      typeof o['first_k_dense_replace'] === 'number' && Number.isSafeInteger(o['first_k_dense_replace'])
        ? Math.max(0, o['first_k_dense_replace'])
        : 0,
  };
}

function mlaOf(o: Obj): MlaFacts | null {
  const kvLoraRank = posInt(o['kv_lora_rank']);
  if (kvLoraRank === null) return null;
  return {
    kvLoraRank,
    qLoraRank: posInt(o['q_lora_rank']),
    qkRopeHeadDim: posInt(o['qk_rope_head_dim']) ?? 64,
    qkNopeHeadDim: posInt(o['qk_nope_head_dim']) ?? 128,
    vHeadDim: posInt(o['v_head_dim']) ?? 128,
  };
}

function slidingOf(o: Obj): number | null {
  const w = posInt(o['sliding_window']);
  if (w === null || o['use_sliding_window'] === false) return null;
  return w;
}

/** Reads the facts from a parsed config.json; never throws (a bad file is `{ok: false, message}`). */
export function parseModelConfig(json: unknown): ParseFactsResult {
  if (!isObj(json)) return { ok: false, message: 'config.json is not a JSON object' };
  const archs = json['architectures'];
  const architecture = Array.isArray(archs) && typeof archs[0] === 'string' && archs[0] !== '' ? archs[0] : null;
  if (architecture === null)
    return {
      ok: false,
      message: 'config.json has no "architectures" list; TensorRT-LLM picks the converter from architectures[0]',
    };
  const nested = isObj(json['text_config']) ? json['text_config'] : null;
  const textType = nested !== null && typeof nested['model_type'] === 'string' ? nested['model_type'] : '';
  const o: Obj = nested !== null ? { ...(TEXT_DEFAULTS[textType] ?? {}), ...nested } : json;
  const hiddenSize = firstInt(o, ['hidden_size', 'd_model', 'n_embd']);
  const numLayers = firstInt(o, ['num_hidden_layers', 'n_layer', 'num_layers']);
  const numHeads = firstInt(o, ['num_attention_heads', 'n_head']);
  const vocabSize = firstInt(o, ['vocab_size']);
  const missing = [
    ['hidden_size', hiddenSize],
    ['num_hidden_layers', numLayers],
    ['num_attention_heads', numHeads],
    ['vocab_size', vocabSize],
  ]
    .filter(([, v]) => v === null)
    .map(([k]) => k as string);
  if (hiddenSize === null || numLayers === null || numHeads === null || vocabSize === null) {
    return {
      ok: false,
      message: `config.json lacks ${missing.join(', ')}${nested !== null ? ' (in text_config)' : ''}`,
    };
  }
  const numKvHeads = firstInt(o, ['num_key_value_heads', 'num_kv_heads', 'n_head_kv']) ?? numHeads;
  const headDim = posInt(o['head_dim']) ?? Math.floor(hiddenSize / numHeads);
  const dtype =
    typeof json['torch_dtype'] === 'string'
      ? json['torch_dtype']
      : typeof json['dtype'] === 'string'
        ? json['dtype']
        : typeof o['torch_dtype'] === 'string'
          ? o['torch_dtype']
          : null;
  const q = json['quantization_config'];
  const tie =
    typeof json['tie_word_embeddings'] === 'boolean'
      ? json['tie_word_embeddings']
      : typeof o['tie_word_embeddings'] === 'boolean'
        ? o['tie_word_embeddings']
        : true;
  return {
    ok: true,
    facts: {
      architecture,
      modelType: nested !== null ? textType : typeof json['model_type'] === 'string' ? json['model_type'] : '',
      hiddenSize,
      numLayers,
      numHeads,
      numKvHeads,
      headDim: headDim > 0 ? headDim : 1,
      intermediateSize: firstInt(o, ['intermediate_size', 'ffn_dim', 'n_inner']) ?? 0,
      vocabSize,
      maxPositionEmbeddings: firstInt(o, ['max_position_embeddings', 'n_positions', 'max_sequence_length']),
      ropeScaling: ropeOf(o['rope_scaling']),
      tieWordEmbeddings: tie,
      torchDtype: dtype,
      moe: moeOf(o),
      mla: mlaOf(o),
      preQuantized: isObj(q) && typeof q['quant_method'] === 'string' ? q['quant_method'] : null,
      slidingWindow: slidingOf(o),
      multimodal: nested !== null,
    },
  };
}

/** Parses config.json text; bad JSON is a message, never a throw. */
export function parseModelConfigText(text: string): ParseFactsResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'config.json is not valid JSON' };
  }
  return parseModelConfig(json);
}
