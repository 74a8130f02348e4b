/**
 * toolConstraintViolations, called directly with parsed flags: each cross-flag constraint of each
 * tool on both sides of its condition, with the exact messages (conformance.test.ts goes through
 * whole argvs; here each rule is isolated).
 */
import { describe, expect, it } from 'vitest';
import { toolConstraintViolations } from '../../../orchestrator/toolchain/conformance-constraints.js';
import type { ToolName } from '../../../orchestrator/toolchain/surface-types.js';

/** Flags as parsed: a string is one value, an array several, `true` a store_true flag. */
type Flags = Record<string, string | readonly string[] | true>;

function check(tool: ToolName, flags: Flags): readonly string[] {
  const parsed = new Map<string, readonly string[]>(
    Object.entries(flags).map(([k, v]) => [k, v === true ? [] : typeof v === 'string' ? [v] : v]),
  );
  return toolConstraintViolations(tool, parsed);
}

const build = (flags: Flags): readonly string[] => check('trtllm-build', { '--checkpoint_dir': '/c', ...flags });

const MSG = {
  clsPair: 'model_cls_pair: --model_cls_file requires --model_cls_name',
  ckpt: 'ckpt_or_config: one of --checkpoint_dir or --model_config must be given',
  profiles: 'multiple_profiles_vs_opt_num_tokens: --multiple_profiles enable excludes --opt_num_tokens',
  logits:
    'context_logits_vs_draft: --gather_context_logits/--gather_all_token_logits not allowed with --max_draft_len > 0',
  streamingllm: 'streamingllm_removed: --streamingllm enable is rejected in 1.2',
  swiglu: 'gemm_swiglu_needs_fused_mlp: swiglu fp8 plugins require --use_fused_mlp enable',
  eagle: 'eagle_limits: eagle needs --max_batch_size <= 512 and --max_draft_len <= 256',
  specDraft: 'speculative mode needs --max_draft_len > 0',
  loraModules: 'lora_modules_required: --lora_plugin needs --lora_target_modules or --lora_dir',
  loraInert: 'lora_flags_need_plugin: --lora_dir/--lora_target_modules/--max_lora_rank are inert without --lora_plugin',
  tokensPerBlock: '--tokens_per_block must be a power of two > 1',
  moe: (tp: number) => `moe_product: --moe_tp_size x --moe_ep_size must equal --tp_size (${tp})`,
  metaBoth: 'meta_vs_hf: --meta_ckpt_dir and --model_dir are mutually exclusive',
  metaNone: 'meta_vs_hf: neither --model_dir nor --meta_ckpt_dir: only a synthetic config.json would be written',
  quantCkpt: 'quant_ckpt_path: only with --weight_only_precision int4_gptq/int8_gptq or --use_qserve',
  sqShard: 'sq_no_shard: --smoothquant/--int8_kv_cache cannot be combined with --load_by_shard',
  bertTp: 'bert converter supports --tp_size 1 or 2 only',
  bertPp: 'bert converter supports --pp_size 1 only',
  bertModel: 'bert converter asserts --model_dir is given',
  source: 'source_required: one of --model_dir or --nemo_ckpt_path',
  autoqExclusive: '--autoq_format: fp8 and int8_sq are exclusive',
  serverRole: 'server_role: --server_role required with --metadata_server_config_file or --disagg_cluster_uri',
  kvFraction: '--kv_cache_free_gpu_memory_fraction must be in [0, 1]',
};

describe('trtllm-build constraints', () => {
  it('a checkpoint dir alone, or a model config alone, passes; neither fails', () => {
    expect(build({})).toEqual([]);
    expect(check('trtllm-build', { '--model_config': '/m.json' })).toEqual([]);
    expect(check('trtllm-build', {})).toEqual([MSG.ckpt]);
  });

  it('--model_cls_file needs --model_cls_name', () => {
    expect(build({ '--model_cls_file': 'm.py' })).toEqual([MSG.clsPair]);
    expect(build({ '--model_cls_file': 'm.py', '--model_cls_name': 'M' })).toEqual([]);
    expect(build({ '--model_cls_name': 'M' })).toEqual([]);
  });

  it('--multiple_profiles enable excludes --opt_num_tokens (and only enable does)', () => {
    expect(build({ '--multiple_profiles': 'enable', '--opt_num_tokens': '64' })).toEqual([MSG.profiles]);
    expect(build({ '--multiple_profiles': 'disable', '--opt_num_tokens': '64' })).toEqual([]);
    expect(build({ '--multiple_profiles': 'enable' })).toEqual([]);
    expect(build({ '--opt_num_tokens': '64' })).toEqual([]);
  });

  it('context logits (either flag) are refused with a draft length above 0', () => {
    expect(build({ '--gather_context_logits': true, '--max_draft_len': '1' })).toEqual([MSG.logits]);
    expect(build({ '--gather_all_token_logits': true, '--max_draft_len': '1' })).toEqual([MSG.logits]);
    expect(build({ '--gather_context_logits': true, '--max_draft_len': '0' })).toEqual([]);
    expect(build({ '--gather_context_logits': true })).toEqual([]);
    expect(build({ '--max_draft_len': '4' })).toEqual([]);
  });

  it('--streamingllm enable is refused, disable is not', () => {
    expect(build({ '--streamingllm': 'enable' })).toEqual([MSG.streamingllm]);
    expect(build({ '--streamingllm': 'disable' })).toEqual([]);
  });

  it('an fp8 swiglu plugin (either) needs the fused MLP', () => {
    expect(build({ '--gemm_swiglu_plugin': 'fp8', '--use_fused_mlp': 'disable' })).toEqual([MSG.swiglu]);
    expect(build({ '--low_latency_gemm_swiglu_plugin': 'fp8', '--use_fused_mlp': 'disable' })).toEqual([MSG.swiglu]);
    expect(build({ '--gemm_swiglu_plugin': 'fp8', '--use_fused_mlp': 'enable' })).toEqual([]);
    expect(build({ '--low_latency_gemm_swiglu_plugin': 'fp8', '--use_fused_mlp': 'enable' })).toEqual([]);
    expect(build({ '--gemm_swiglu_plugin': 'fp8' })).toEqual([]);
    expect(build({ '--gemm_swiglu_plugin': 'disable', '--use_fused_mlp': 'disable' })).toEqual([]);
    expect(build({ '--low_latency_gemm_swiglu_plugin': 'disable', '--use_fused_mlp': 'disable' })).toEqual([]);
  });

  it('eagle: --max_batch_size up to 512 (2048 when absent) and --max_draft_len up to 256', () => {
    const eagle = (flags: Flags) => build({ '--speculative_decoding_mode': 'eagle', ...flags });
    expect(eagle({ '--max_batch_size': '512', '--max_draft_len': '256' })).toEqual([]);
    expect(eagle({ '--max_batch_size': '513', '--max_draft_len': '256' })).toEqual([MSG.eagle]);
    expect(eagle({ '--max_batch_size': '512', '--max_draft_len': '257' })).toEqual([MSG.eagle]);
    expect(eagle({ '--max_draft_len': '4' })).toEqual([MSG.eagle]);
    expect(eagle({ '--max_batch_size': '8', '--max_draft_len': '4' })).toEqual([]);
    // Other modes have no such limit.
    expect(
      build({ '--speculative_decoding_mode': 'medusa', '--max_batch_size': '4096', '--max_draft_len': '300' }),
    ).toEqual([]);
  });

  it('a speculative mode needs a draft length above 0', () => {
    expect(build({ '--speculative_decoding_mode': 'medusa' })).toEqual([MSG.specDraft]);
    expect(build({ '--speculative_decoding_mode': 'medusa', '--max_draft_len': '0' })).toEqual([MSG.specDraft]);
    expect(build({ '--speculative_decoding_mode': 'medusa', '--max_draft_len': '1' })).toEqual([]);
  });

  it('an HF-source LoRA plugin needs target modules or a LoRA dir', () => {
    expect(build({ '--lora_plugin': 'auto' })).toEqual([MSG.loraModules]);
    expect(build({ '--lora_plugin': 'auto', '--lora_ckpt_source': 'hf' })).toEqual([MSG.loraModules]);
    expect(build({ '--lora_plugin': 'auto', '--lora_ckpt_source': 'nemo' })).toEqual([]);
    expect(build({ '--lora_plugin': 'auto', '--lora_dir': ['/l/0'] })).toEqual([]);
    expect(build({ '--lora_plugin': 'auto', '--lora_target_modules': ['attn_q'] })).toEqual([]);
    expect(build({ '--lora_plugin': 'disable' })).toEqual([]);
  });

  it('LoRA flags without the plugin (absent or disable) are inert', () => {
    for (const flag of ['--lora_dir', '--lora_target_modules', '--max_lora_rank']) {
      expect(build({ [flag]: '8' }), flag).toEqual([MSG.loraInert]);
      expect(build({ [flag]: '8', '--lora_plugin': 'disable' }), flag).toEqual([MSG.loraInert]);
    }
    expect(build({ '--lora_plugin': 'auto', '--lora_dir': '/l', '--max_lora_rank': '8' })).toEqual([]);
  });

  it('--tokens_per_block: a power of two above 1', () => {
    for (const ok of ['2', '32', '64', '128']) expect(build({ '--tokens_per_block': ok }), ok).toEqual([]);
    for (const bad of ['1', '0', '-2', '48', '2.5', '3', 'x'])
      expect(build({ '--tokens_per_block': bad }), bad).toEqual([MSG.tokensPerBlock]);
  });

  it('reports every violated rule at once, in rule order', () => {
    expect(
      check('trtllm-build', {
        '--model_cls_file': 'm.py',
        '--streamingllm': 'enable',
        '--tokens_per_block': '3',
      }),
    ).toEqual([MSG.clsPair, MSG.ckpt, MSG.streamingllm, MSG.tokensPerBlock]);
  });
});

describe('MoE product (llama and qwen converters)', () => {
  for (const tool of ['convert_checkpoint.py(llama)', 'convert_checkpoint.py(qwen)'] as const) {
    const convert = (flags: Flags) =>
      check(tool, { '--model_dir': '/m', ...flags }).filter((m) => m.startsWith('moe_product'));
    it(`${tool}: no MoE flags, or both -1, is no MoE split`, () => {
      expect(convert({ '--tp_size': '4' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '-1', '--moe_ep_size': '-1' })).toEqual([]);
    });
    it(`${tool}: both given, their product must be tp`, () => {
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '2', '--moe_ep_size': '2' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '2', '--moe_ep_size': '1' })).toEqual([MSG.moe(4)]);
      expect(convert({ '--moe_tp_size': '1', '--moe_ep_size': '1' })).toEqual([]);
      expect(convert({ '--moe_tp_size': '2', '--moe_ep_size': '1' })).toEqual([MSG.moe(1)]);
    });
    it(`${tool}: one given, the other resolves to tp / given`, () => {
      expect(convert({ '--tp_size': '4', '--moe_ep_size': '4' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_ep_size': '2' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_ep_size': '3' })).toEqual([MSG.moe(4)]);
      expect(convert({ '--tp_size': '4', '--moe_ep_size': '8' })).toEqual([MSG.moe(4)]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '4' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '2' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '2', '--moe_ep_size': '-1' })).toEqual([]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '3' })).toEqual([MSG.moe(4)]);
      expect(convert({ '--tp_size': '4', '--moe_tp_size': '8' })).toEqual([MSG.moe(4)]);
      expect(convert({ '--moe_tp_size': '2' })).toEqual([MSG.moe(1)]);
    });
  }
});

describe('llama converter constraints', () => {
  const llama = (flags: Flags) => check('convert_checkpoint.py(llama)', flags);

  it('exactly one of --model_dir and --meta_ckpt_dir', () => {
    expect(llama({ '--model_dir': '/m' })).toEqual([]);
    expect(llama({ '--meta_ckpt_dir': '/m' })).toEqual([]);
    expect(llama({ '--model_dir': '/m', '--meta_ckpt_dir': '/x' })).toEqual([MSG.metaBoth]);
    expect(llama({})).toEqual([MSG.metaNone]);
  });

  it('sizes must be >= 1', () => {
    for (const flag of ['--tp_size', '--pp_size', '--cp_size', '--workers']) {
      expect(llama({ '--model_dir': '/m', [flag]: '0' }), flag).toEqual([`${flag} must be >= 1`]);
      expect(llama({ '--model_dir': '/m', [flag]: '1' }), flag).toEqual([]);
    }
  });

  it('--quant_ckpt_path only with a GPTQ weight-only precision or --use_qserve', () => {
    const q = (flags: Flags) => llama({ '--model_dir': '/m', '--quant_ckpt_path': '/q', ...flags });
    expect(q({})).toEqual([MSG.quantCkpt]);
    expect(q({ '--weight_only_precision': 'int4_gptq' })).toEqual([]);
    expect(q({ '--weight_only_precision': 'int8_gptq' })).toEqual([]);
    expect(q({ '--weight_only_precision': 'int4' })).toEqual([MSG.quantCkpt]);
    expect(q({ '--use_qserve': true })).toEqual([]);
    expect(llama({ '--model_dir': '/m', '--weight_only_precision': 'int4' })).toEqual([]);
  });

  it('--smoothquant and --int8_kv_cache cannot load by shard', () => {
    const m = { '--model_dir': '/m' };
    expect(llama({ ...m, '--smoothquant': '0.5', '--load_by_shard': true })).toEqual([MSG.sqShard]);
    expect(llama({ ...m, '--int8_kv_cache': true, '--load_by_shard': true })).toEqual([MSG.sqShard]);
    expect(llama({ ...m, '--smoothquant': '0.5' })).toEqual([]);
    expect(llama({ ...m, '--int8_kv_cache': true })).toEqual([]);
    expect(llama({ ...m, '--load_by_shard': true })).toEqual([]);
  });

  it('reports MoE, sizes and source problems together', () => {
    expect(llama({ '--tp_size': '0', '--moe_tp_size': '2', '--moe_ep_size': '2' })).toEqual([
      MSG.moe(0),
      '--tp_size must be >= 1',
      MSG.metaNone,
    ]);
  });
});

describe('qwen converter constraints', () => {
  it('sizes must be >= 1; no source rule', () => {
    for (const flag of ['--tp_size', '--pp_size', '--cp_size', '--workers']) {
      expect(check('convert_checkpoint.py(qwen)', { [flag]: '0' }), flag).toEqual([`${flag} must be >= 1`]);
      expect(check('convert_checkpoint.py(qwen)', { [flag]: '2' }), flag).toEqual([]);
    }
    expect(check('convert_checkpoint.py(qwen)', {})).toEqual([]);
    expect(check('convert_checkpoint.py(qwen)', { '--tp_size': '2', '--moe_ep_size': '3' })).toEqual([MSG.moe(2)]);
  });
});

describe('bert converter constraints', () => {
  const bert = (flags: Flags) => check('convert_checkpoint.py(bert)', { '--model_dir': '/m', ...flags });
  it('tp 1 or 2, pp 1, a model dir', () => {
    expect(bert({})).toEqual([]);
    expect(bert({ '--tp_size': '1', '--pp_size': '1' })).toEqual([]);
    expect(bert({ '--tp_size': '2' })).toEqual([]);
    expect(bert({ '--tp_size': '3' })).toEqual([MSG.bertTp]);
    expect(bert({ '--tp_size': '0' })).toEqual([MSG.bertTp]);
    expect(bert({ '--pp_size': '2' })).toEqual([MSG.bertPp]);
    expect(bert({ '--pp_size': '0' })).toEqual([MSG.bertPp]);
    expect(check('convert_checkpoint.py(bert)', {})).toEqual([MSG.bertModel]);
  });
});

describe('quantize.py constraints', () => {
  const quantize = (flags: Flags) => check('quantize.py', { '--model_dir': '/m', ...flags });
  it('a model dir or a NeMo checkpoint', () => {
    expect(quantize({})).toEqual([]);
    expect(check('quantize.py', { '--nemo_ckpt_path': '/n' })).toEqual([]);
    expect(check('quantize.py', {})).toEqual([MSG.source]);
  });

  it('--autoq_format: each of fp8, int4_awq, w4a8_awq, int8_sq; others named', () => {
    for (const q of ['fp8', 'int4_awq', 'w4a8_awq', 'int8_sq'])
      expect(quantize({ '--autoq_format': q }), q).toEqual([]);
    expect(quantize({ '--autoq_format': 'fp8,int4_awq,w4a8_awq' })).toEqual([]);
    expect(quantize({ '--autoq_format': 'nvfp4,fp8,,x' })).toEqual([
      '--autoq_format: "nvfp4" is not one of fp8, int4_awq, w4a8_awq, int8_sq',
      '--autoq_format: "x" is not one of fp8, int4_awq, w4a8_awq, int8_sq',
    ]);
    expect(quantize({ '--autoq_format': 'fp8,int8_sq' })).toEqual([MSG.autoqExclusive]);
    expect(quantize({ '--autoq_format': 'int4_awq,int8_sq' })).toEqual([]);
  });

  it('sizes must be >= 1', () => {
    for (const flag of [
      '--tp_size',
      '--pp_size',
      '--cp_size',
      '--calib_size',
      '--calib_max_seq_length',
      '--batch_size',
    ]) {
      expect(quantize({ [flag]: '0' }), flag).toEqual([`${flag} must be >= 1`]);
      expect(quantize({ [flag]: '1' }), flag).toEqual([]);
    }
  });
});

describe('trtllm-serve constraints', () => {
  const serve = (flags: Flags) => check('trtllm-serve', flags);
  it('--server_role with a metadata server config or a disagg cluster', () => {
    expect(serve({ '--metadata_server_config_file': '/c.yaml' })).toEqual([MSG.serverRole]);
    expect(serve({ '--disagg_cluster_uri': 'http://x' })).toEqual([MSG.serverRole]);
    expect(serve({ '--disagg_cluster_uri': 'http://x', '--server_role': 'context' })).toEqual([]);
    expect(serve({ '--metadata_server_config_file': '/c.yaml', '--server_role': 'context' })).toEqual([]);
    expect(serve({ '--server_role': 'context' })).toEqual([]);
  });

  it('sizes must be >= 1', () => {
    for (const flag of ['--tp_size', '--pp_size', '--max_batch_size', '--max_num_tokens', '--max_beam_width']) {
      expect(serve({ [flag]: '0' }), flag).toEqual([`${flag} must be >= 1`]);
      expect(serve({ [flag]: '1' }), flag).toEqual([]);
    }
  });

  it('--kv_cache_free_gpu_memory_fraction in [0, 1]; a non-number is left to the type check', () => {
    for (const ok of ['0', '1', '0.9', '0.05'])
      expect(serve({ '--kv_cache_free_gpu_memory_fraction': ok }), ok).toEqual([]);
    for (const bad of ['-0.1', '1.01', '2'])
      expect(serve({ '--kv_cache_free_gpu_memory_fraction': bad }), bad).toEqual([MSG.kvFraction]);
    expect(serve({ '--kv_cache_free_gpu_memory_fraction': 'x' })).toEqual([]);
    expect(serve({})).toEqual([]);
  });
});

describe('step scripts', () => {
  it('export_hf_checkpoint.py: calibration sizes >= 1', () => {
    expect(check('export_hf_checkpoint.py', {})).toEqual([]);
    for (const flag of ['--calib_size', '--calib_max_seq_length', '--batch_size']) {
      expect(check('export_hf_checkpoint.py', { [flag]: '0' }), flag).toEqual([`${flag} must be >= 1`]);
      expect(check('export_hf_checkpoint.py', { [flag]: '1' }), flag).toEqual([]);
    }
  });

  it('encoder_server.py: batch size, sequence length and port >= 1', () => {
    expect(check('encoder_server.py', {})).toEqual([]);
    for (const flag of ['--max_batch_size', '--max_seq_len', '--port']) {
      expect(check('encoder_server.py', { [flag]: '0' }), flag).toEqual([`${flag} must be >= 1`]);
      expect(check('encoder_server.py', { [flag]: '1' }), flag).toEqual([]);
    }
  });
});
