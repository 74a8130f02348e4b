/**
 * The cross-flag constraints of the fixture (`commands.<tool>.constraints`) that can be decided
 * from an argv alone. Constraints that need facts outside the argv (the checkpoint architecture,
 * the GPU's SM) are enforced by the planner instead.
 */
import type { ParsedFlags, ToolName } from './surface-types.js';

type Check = (flags: ParsedFlags) => readonly string[];

const one = (flags: ParsedFlags, flag: string): string | undefined => flags.get(flag)?.[0];
const num = (flags: ParsedFlags, flag: string, fallback: number): number => {
  const v = one(flags, flag);
  return v === undefined ? fallback : Number(v);
};
const when = (cond: boolean, message: string): readonly string[] => (cond ? [message] : []);

const trtllmBuild: Check = (f) => [
  ...when(
    f.has('--model_cls_file') && !f.has('--model_cls_name'),
    'model_cls_pair: --model_cls_file requires --model_cls_name',
  ),
  ...when(
    !f.has('--checkpoint_dir') && !f.has('--model_config'),
    'ckpt_or_config: one of --checkpoint_dir or --model_config must be given',
  ),
  ...when(
    one(f, '--multiple_profiles') === 'enable' && f.has('--opt_num_tokens'),
    'multiple_profiles_vs_opt_num_tokens: --multiple_profiles enable excludes --opt_num_tokens',
  ),
  ...when(
    (f.has('--gather_context_logits') || f.has('--gather_all_token_logits')) && num(f, '--max_draft_len', 0) > 0,
    'context_logits_vs_draft: --gather_context_logits/--gather_all_token_logits not allowed with --max_draft_len > 0',
  ),
  ...when(one(f, '--streamingllm') === 'enable', 'streamingllm_removed: --streamingllm enable is rejected in 1.2'),
  ...when(
    (one(f, '--gemm_swiglu_plugin') === 'fp8' || one(f, '--low_latency_gemm_swiglu_plugin') === 'fp8') &&
      one(f, '--use_fused_mlp') === 'disable',
    'gemm_swiglu_needs_fused_mlp: swiglu fp8 plugins require --use_fused_mlp enable',
  ),
  ...when(
    one(f, '--speculative_decoding_mode') === 'eagle' &&
      (num(f, '--max_batch_size', 2048) > 512 || num(f, '--max_draft_len', 0) > 256),
    'eagle_limits: eagle needs --max_batch_size <= 512 and --max_draft_len <= 256',
  ),
  ...when(
    f.has('--speculative_decoding_mode') && num(f, '--max_draft_len', 0) <= 0,
    'speculative mode needs --max_draft_len > 0',
  ),
  ...when(
    (one(f, '--lora_plugin') ?? 'disable') !== 'disable' &&
      (one(f, '--lora_ckpt_source') ?? 'hf') === 'hf' &&
      !f.has('--lora_dir') &&
      !f.has('--lora_target_modules'),
    'lora_modules_required: --lora_plugin needs --lora_target_modules or --lora_dir',
  ),
  ...when(
    (one(f, '--lora_plugin') ?? 'disable') === 'disable' &&
      (f.has('--lora_dir') || f.has('--lora_target_modules') || f.has('--max_lora_rank')),
    'lora_flags_need_plugin: --lora_dir/--lora_target_modules/--max_lora_rank are inert without --lora_plugin',
  ),
  ...when(
    f.has('--tokens_per_block') && !isPowerOfTwoAboveOne(num(f, '--tokens_per_block', 32)),
    '--tokens_per_block must be a power of two > 1',
  ),
];

/** A number (type errors are reported elsewhere) outside [0, 1]. */
function outside01(n: number): boolean {
  return Number.isFinite(n) && (n < 0 || n > 1);
}

function isPowerOfTwoAboveOne(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

const positiveSizes = (f: ParsedFlags, names: readonly string[]): readonly string[] =>
  names.filter((n) => f.has(n) && num(f, n, 1) < 1).map((n) => `${n} must be >= 1`);

/** moe_tp_size × moe_ep_size == tp_size once -1 defaults resolve to tp-only. */
const moeProduct: Check = (f) => {
  const tp = num(f, '--tp_size', 1);
  const moeTp = num(f, '--moe_tp_size', -1);
  const moeEp = num(f, '--moe_ep_size', -1);
  if (moeTp === -1 && moeEp === -1) return [];
  const tpResolved = moeTp === -1 ? tp / moeEp : moeTp;
  const epResolved = moeEp === -1 ? tp / moeTp : moeEp;
  return when(
    tpResolved * epResolved !== tp || !Number.isInteger(tpResolved) || !Number.isInteger(epResolved),
    `moe_product: --moe_tp_size x --moe_ep_size must equal --tp_size (${tp})`,
  );
};

/** The --weight_only_precision values a --quant_ckpt_path (GPTQ checkpoint) goes with. */
const GPTQ_PRECISIONS = ['int4_gptq', 'int8_gptq'];

const convertLlama: Check = (f) => [
  ...moeProduct(f),
  ...positiveSizes(f, ['--tp_size', '--pp_size', '--cp_size', '--workers']),
  ...when(
    f.has('--meta_ckpt_dir') && f.has('--model_dir'),
    'meta_vs_hf: --meta_ckpt_dir and --model_dir are mutually exclusive',
  ),
  ...when(
    !f.has('--meta_ckpt_dir') && !f.has('--model_dir'),
    'meta_vs_hf: neither --model_dir nor --meta_ckpt_dir: only a synthetic config.json would be written',
  ),
  ...when(
    f.has('--quant_ckpt_path') &&
      !GPTQ_PRECISIONS.some((p) => p === one(f, '--weight_only_precision')) &&
      !f.has('--use_qserve'),
    'quant_ckpt_path: only with --weight_only_precision int4_gptq/int8_gptq or --use_qserve',
  ),
  ...when(
    (f.has('--smoothquant') || f.has('--int8_kv_cache')) && f.has('--load_by_shard'),
    'sq_no_shard: --smoothquant/--int8_kv_cache cannot be combined with --load_by_shard',
  ),
];

const convertQwen: Check = (f) => [
  ...moeProduct(f),
  ...positiveSizes(f, ['--tp_size', '--pp_size', '--cp_size', '--workers']),
];

const convertBert: Check = (f) => [
  ...when(num(f, '--tp_size', 1) > 2 || num(f, '--tp_size', 1) < 1, 'bert converter supports --tp_size 1 or 2 only'),
  ...when(num(f, '--pp_size', 1) !== 1, 'bert converter supports --pp_size 1 only'),
  ...when(!f.has('--model_dir'), 'bert converter asserts --model_dir is given'),
];

const AUTOQ_FORMATS = new Set(['fp8', 'int4_awq', 'w4a8_awq', 'int8_sq']);

const quantize: Check = (f) => {
  const autoq = (one(f, '--autoq_format') ?? '').split(',').filter((s) => s !== '');
  return [
    ...when(
      !f.has('--model_dir') && !f.has('--nemo_ckpt_path'),
      'source_required: one of --model_dir or --nemo_ckpt_path',
    ),
    ...autoq
      .filter((q) => !AUTOQ_FORMATS.has(q))
      .map((q) => `--autoq_format: ${JSON.stringify(q)} is not one of fp8, int4_awq, w4a8_awq, int8_sq`),
    ...when(autoq.includes('fp8') && autoq.includes('int8_sq'), '--autoq_format: fp8 and int8_sq are exclusive'),
    ...positiveSizes(f, [
      '--tp_size',
      '--pp_size',
      '--cp_size',
      '--calib_size',
      '--calib_max_seq_length',
      '--batch_size',
    ]),
  ];
};

const serve: Check = (f) => [
  ...when(
    (f.has('--metadata_server_config_file') || f.has('--disagg_cluster_uri')) && !f.has('--server_role'),
    'server_role: --server_role required with --metadata_server_config_file or --disagg_cluster_uri',
  ),
  ...positiveSizes(f, ['--tp_size', '--pp_size', '--max_batch_size', '--max_num_tokens', '--max_beam_width']),
  ...when(
    outside01(num(f, '--kv_cache_free_gpu_memory_fraction', 0.9)),
    '--kv_cache_free_gpu_memory_fraction must be in [0, 1]',
  ),
];

const CHECKS: Readonly<Record<ToolName, Check>> = {
  'trtllm-build': trtllmBuild,
  'trtllm-serve': serve,
  'quantize.py': quantize,
  'convert_checkpoint.py(llama)': convertLlama,
  'convert_checkpoint.py(qwen)': convertQwen,
  'convert_checkpoint.py(bert)': convertBert,
  'export_hf_checkpoint.py': (f) => [...positiveSizes(f, ['--calib_size', '--calib_max_seq_length', '--batch_size'])],
  'encoder_server.py': (f) => positiveSizes(f, ['--max_batch_size', '--max_seq_len', '--port']),
};

/** Constraint violations of one tool's parsed flags. */
export function toolConstraintViolations(tool: ToolName, flags: ParsedFlags): readonly string[] {
  return CHECKS[tool](flags);
}
