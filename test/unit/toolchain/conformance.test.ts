import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import { FIXTURE_URL } from '../../../orchestrator/toolchain/surface.js';
import { REFERENCE_DIR } from '../../support/shared-paths.js';

const QUANTIZE = '/app/tensorrt_llm/examples/quantization/quantize.py';
const LLAMA = '/app/tensorrt_llm/examples/models/core/llama/convert_checkpoint.py';
const QWEN = '/app/tensorrt_llm/examples/models/core/qwen/convert_checkpoint.py';
const BERT = '/app/tensorrt_llm/examples/models/core/bert/convert_checkpoint.py';
const BUILD = ['trtllm-build', '--checkpoint_dir', '/workspace/c', '--output_dir', '/workspace/e'];

/** One violation matching `pattern`, and nothing else. */
function expectOnly(argv: readonly string[], pattern: RegExp): void {
  const v = checkToolArgv(argv);
  expect(v).toHaveLength(1);
  expect(v[0]).toMatch(pattern);
}

describe('fixture copy', () => {
  it('is byte-identical to the shared reference when that exists', () => {
    const shared = join(REFERENCE_DIR, 'trtllm-cli-surface.json');
    const local = readFileSync(FIXTURE_URL);
    expect(local.length).toBeGreaterThan(1000);
    expect(local.equals(readFileSync(shared))).toBe(true);
  });
});

describe('checkToolArgv: conforming argv', () => {
  it.each([
    [
      'trtllm-build',
      [
        ...BUILD,
        '--max_batch_size',
        '8',
        '--max_num_tokens',
        '8192',
        '--kv_cache_type',
        'PAGED',
        '--gemm_plugin',
        'auto',
        '--workers',
        '2',
      ],
    ],
    [
      'trtllm-build lookahead',
      [...BUILD, '--speculative_decoding_mode', 'lookahead_decoding', '--max_draft_len', '21'],
    ],
    [
      'trtllm-build lora',
      [
        ...BUILD,
        '--lora_plugin',
        'auto',
        '--lora_dir',
        '/w/l/0',
        '/w/l/1',
        '--lora_target_modules',
        'attn_q',
        'attn_v',
        '--max_lora_rank',
        '16',
      ],
    ],
    ['trtllm-build alias and = form', [...BUILD, '--max_decoder_seq_len=4096', '--max_multimodal_len', '0']],
    [
      'quantize.py',
      [
        'python3',
        QUANTIZE,
        '--model_dir',
        '/w/m',
        '--qformat',
        'nvfp4',
        '--kv_cache_dtype',
        'fp8',
        '--calib_size',
        '512',
        '--tp_size',
        '2',
      ],
    ],
    [
      'llama convert',
      [
        'python3',
        LLAMA,
        '--model_dir',
        '/w/m',
        '--tp_size',
        '4',
        '--moe_tp_size',
        '2',
        '--moe_ep_size',
        '2',
        '--dtype',
        'auto',
      ],
    ],
    [
      'llama convert -sq alias with negative default',
      ['python3', LLAMA, '--model_dir', '/w/m', '-sq', '0.5', '--moe_tp_size', '-1'],
    ],
    ['qwen convert', ['python3', QWEN, '--model_dir', '/w/m', '--tp_size', '2', '--weight_only_precision']],
    ['bert convert', ['python3', BERT, '--model', 'BertModel', '--model_dir', '/w/m', '--tp_size', '2']],
    [
      'trtllm-serve',
      [
        'trtllm-serve',
        '/models/engine',
        '--backend',
        'trt',
        '--tp_size',
        '2',
        '--trust_remote_code',
        '--kv_cache_free_gpu_memory_fraction',
        '0.85',
      ],
    ],
    ['trtllm-serve explicit subcommand', ['trtllm-serve', 'serve', 'meta-llama/Llama-3.1-8B', '--backend', 'pytorch']],
  ])('%s', (_name, argv) => {
    expect(checkToolArgv(argv)).toEqual([]);
  });
});

describe('checkToolArgv: tools and scripts', () => {
  it('rejects an unknown executable', () => expectOnly(['bash', '-c', 'trtllm-build'], /argv\[0\] must be/));
  it('rejects an empty argv', () => expectOnly([], /argv\[0\] must be/));
  it('rejects python3 without a script', () => expectOnly(['python3'], /needs the path/));
  it('rejects an unknown script', () => expectOnly(['python3', '/tmp/evil.py'], /unknown script/));
  it('rejects the <=0.18 example layout', () =>
    expectOnly(['python3', '/app/examples/llama/convert_checkpoint.py', '--model_dir', '/m'], /legacy script path/));
  it('rejects a family without a converter surface', () =>
    expectOnly(
      ['python3', '/app/examples/models/core/gemma/convert_checkpoint.py'],
      /no convert_checkpoint.py surface for model family "gemma"/,
    ));
});

describe('checkToolArgv: flags and values', () => {
  it('rejects an unknown flag', () => expectOnly([...BUILD, '--turbo', 'on'], /--turbo: unknown flag/));
  it.each(['--multi_block_mode', '--use_custom_all_reduce', '--tp_size', '--dtype', '--max_output_len'])(
    'rejects legacy flag %s',
    (flag) => expectOnly([...BUILD, flag, 'x'], /legacy flag rejected/),
  );
  it.each(['--auto_parallel', '--gpus_per_node', '--cluster_key'])('rejects removed flag %s', (flag) =>
    expectOnly([...BUILD, flag, '8'], /removed from trtllm-build in 1.2/),
  );
  it('rejects a bad choice', () =>
    expectOnly([...BUILD, '--gemm_plugin', 'int4'], /--gemm_plugin: "int4" is not one of/));
  it('rejects a bad choice in a nargs list', () =>
    expectOnly(
      [...BUILD, '--lora_plugin', 'auto', '--lora_target_modules', 'attn_q', 'q_proj'],
      /"q_proj" is not one of/,
    ));
  it('rejects a non-integer', () =>
    expectOnly([...BUILD, '--max_batch_size', '8.5'], /expected an integer, got "8.5"/));
  it('rejects a non-number float', () =>
    expectOnly(['trtllm-serve', '/e', '--kv_cache_free_gpu_memory_fraction', 'lots'], /expected a number/));
  it('rejects a missing value', () => expectOnly([...BUILD, '--max_batch_size'], /--max_batch_size: missing value/));
  it('rejects an empty value', () => expectOnly([...BUILD, '--max_batch_size='], /empty value/));
  it('rejects a value on a store_true flag', () =>
    expectOnly([...BUILD, '--gather_all_token_logits=yes'], /takes no value/));
  it('rejects a repeated flag', () =>
    expectOnly([...BUILD, '--workers', '1', '--workers', '2'], /given more than once/));
  it('rejects stray positionals', () => expectOnly([...BUILD, '--strip_plan', 'extra'], /unexpected positional/));
  it('rejects a missing required flag', () => expectOnly(['python3', QWEN, '--tp_size', '1'], /--model_dir: required/));
  it('rejects trtllm-serve without MODEL', () =>
    expectOnly(['trtllm-serve', '--backend', 'tensorrt'], /needs 1 positional/));
  it('is case-insensitive only where the fixture says so', () => {
    expect(checkToolArgv([...BUILD, '--kv_cache_type', 'Paged'])).toEqual([]);
    expectOnly([...BUILD, '--context_fmha', 'Enable'], /not one of enable, disable/);
  });
});

describe('checkToolArgv: constraints', () => {
  it('model_cls_pair', () => expectOnly([...BUILD, '--model_cls_file', 'x.py'], /model_cls_pair/));
  it('ckpt_or_config', () => expectOnly(['trtllm-build', '--output_dir', '/e'], /ckpt_or_config/));
  it('multiple_profiles excludes opt_num_tokens', () =>
    expectOnly(
      [...BUILD, '--multiple_profiles', 'enable', '--opt_num_tokens', '64'],
      /multiple_profiles_vs_opt_num_tokens/,
    ));
  it('context logits exclude draft tokens', () =>
    expect(
      checkToolArgv([
        ...BUILD,
        '--gather_all_token_logits',
        '--speculative_decoding_mode',
        'lookahead_decoding',
        '--max_draft_len',
        '4',
      ]),
    ).toEqual([expect.stringMatching(/context_logits_vs_draft/)]));
  it('speculation needs a draft length', () =>
    expectOnly([...BUILD, '--speculative_decoding_mode', 'lookahead_decoding'], /max_draft_len > 0/));
  it('streamingllm is rejected', () => expectOnly([...BUILD, '--streamingllm', 'enable'], /streamingllm_removed/));
  it('swiglu fp8 needs fused mlp', () =>
    expectOnly([...BUILD, '--gemm_swiglu_plugin', 'fp8', '--use_fused_mlp', 'disable'], /gemm_swiglu_needs_fused_mlp/));
  it('eagle limits', () =>
    expectOnly(
      [...BUILD, '--speculative_decoding_mode', 'eagle', '--max_draft_len', '300', '--max_batch_size', '8'],
      /eagle_limits/,
    ));
  it('lora plugin needs modules or dirs', () =>
    expectOnly([...BUILD, '--lora_plugin', 'auto'], /lora_modules_required/));
  it('lora flags need the plugin', () => expectOnly([...BUILD, '--lora_dir', '/w/l/0'], /lora_flags_need_plugin/));
  it('tokens_per_block is a power of two', () => expectOnly([...BUILD, '--tokens_per_block', '48'], /power of two/));
  it('moe product', () =>
    expectOnly(
      ['python3', LLAMA, '--model_dir', '/m', '--tp_size', '4', '--moe_tp_size', '3', '--moe_ep_size', '2'],
      /moe_product/,
    ));
  it('meta vs hf', () => expectOnly(['python3', LLAMA, '--model_dir', '/m', '--meta_ckpt_dir', '/n'], /meta_vs_hf/));
  it('sq with load_by_shard', () =>
    expectOnly(['python3', LLAMA, '--model_dir', '/m', '-sq', '0.5', '--load_by_shard'], /sq_no_shard/));
  it('quant_ckpt_path needs gptq or qserve', () =>
    expectOnly(['python3', LLAMA, '--model_dir', '/m', '--quant_ckpt_path', '/q'], /quant_ckpt_path/));
  it('bert tp <= 2', () =>
    expectOnly(['python3', BERT, '--model', 'BertModel', '--model_dir', '/m', '--tp_size', '4'], /--tp_size 1 or 2/));
  it('bert needs a model class', () => expectOnly(['python3', BERT, '--model_dir', '/m'], /--model: required/));
  it('quantize needs a source', () => expectOnly(['python3', QUANTIZE, '--qformat', 'fp8'], /source_required/));
  it('quantize autoq formats', () =>
    expect(checkToolArgv(['python3', QUANTIZE, '--model_dir', '/m', '--autoq_format', 'fp8,int8_sq,int2'])).toEqual([
      expect.stringMatching(/"int2" is not one of/),
      expect.stringMatching(/exclusive/),
    ]));
  it('serve server_role', () => expectOnly(['trtllm-serve', '/e', '--disagg_cluster_uri', 'etcd://x'], /server_role/));
  it('serve memory fraction in [0, 1]', () =>
    expectOnly(['trtllm-serve', '/e', '--kv_cache_free_gpu_memory_fraction', '1.5'], /in \[0, 1\]/));
  it('serve sizes >= 1', () => expectOnly(['trtllm-serve', '/e', '--tp_size', '0'], /--tp_size must be >= 1/));
});
