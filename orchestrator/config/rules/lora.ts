/** LoRA rules: v1 decoder only, adapter names (F6), target module names (trtllm-cli.md §2.3). */
import { didYouMean } from '../did-you-mean.js';
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

const ADAPTER_NAME = /^[a-zA-Z0-9_\-.:]+$/;
/** TensorRT-LLM `LoraManager.LORA_MODULE_IDS` (1.1/1.2 line). */
export const TRTLLM_LORA_MODULES: readonly string[] = [
  'attn_qkv',
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_dense',
  'mlp_h_to_4h',
  'mlp_4h_to_h',
  'mlp_gate',
  'cross_attn_qkv',
  'cross_attn_q',
  'cross_attn_k',
  'cross_attn_v',
  'cross_attn_dense',
  'moe_h_to_4h',
  'moe_4h_to_h',
  'moe_gate',
  'moe_router',
  'mlp_router',
  'mlp_gate_up',
];
/** Hugging Face module names and the TensorRT-LLM modules they map to. */
export const HF_LORA_MODULES: Readonly<Record<string, string>> = {
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  qkv_proj: 'attn_qkv',
  o_proj: 'attn_dense',
  gate_proj: 'mlp_h_to_4h',
  down_proj: 'mlp_4h_to_h',
  up_proj: 'mlp_gate',
  gate_up_proj: 'mlp_gate_up',
  w1: 'moe_h_to_4h',
  w2: 'moe_4h_to_h',
  w3: 'moe_gate',
  gate: 'moe_router',
};

/** LoRA adapters need a v1 decoder; names and target modules must be valid. */
export function loraRules(ctx: RuleContext): Finding[] {
  const b = ctx.trtLlm.build;
  const out: Finding[] = [];
  const adapters = b.lora_adapters ?? {};
  const names = Object.keys(adapters);
  const adaptersPath = ['trt_llm', 'build', 'lora_adapters'];
  if (names.length > 0 && (ctx.trtLlm.inference_stack !== 'v1' || b.base_model !== 'decoder')) {
    const what = ctx.trtLlm.inference_stack === 'v1' ? `base_model ${b.base_model}` : 'inference_stack v2';
    out.push(
      error(
        'LORA_REQUIRES_V1_DECODER',
        adaptersPath,
        `LoRA adapters are only supported for the v1 decoder (got ${what})`,
        'key',
      ),
    );
  }
  for (const name of names) {
    if (!ADAPTER_NAME.test(name)) {
      out.push(
        error(
          'LORA_ADAPTER_NAME_INVALID',
          [...adaptersPath, name],
          `adapter name ${JSON.stringify(name.slice(0, 60))} may only contain letters, digits, "_", "-", "." and ":" (it becomes the OpenAI model name)`,
          'key',
        ),
      );
    }
  }
  const lc = b.lora_configuration;
  if (lc) {
    if (names.length === 0) {
      out.push(
        warning(
          'LORA_CONFIGURATION_WITHOUT_ADAPTERS',
          ['trt_llm', 'build', 'lora_configuration'],
          'lora_configuration has no effect without build.lora_adapters',
          'key',
        ),
      );
    }
    const known = [...TRTLLM_LORA_MODULES, ...Object.keys(HF_LORA_MODULES)];
    lc.lora_target_modules.forEach((m, i) => {
      if (known.includes(m)) return;
      const guess = didYouMean(m, known);
      out.push(
        error(
          'LORA_TARGET_MODULE_UNKNOWN',
          ['trt_llm', 'build', 'lora_configuration', 'lora_target_modules', i],
          `unknown LoRA target module ${JSON.stringify(m.slice(0, 60))}${guess ? `; did you mean ${guess}?` : ''} (TensorRT-LLM names: ${TRTLLM_LORA_MODULES.join(', ')}; or HF names ${Object.keys(HF_LORA_MODULES).join(', ')})`,
        ),
      );
    });
  }
  return out;
}
