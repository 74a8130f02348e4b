// The plan hash from the config side: every build or runtime setting that changes an argv or a
// launch file changes the hash, each one differently (parallelism layout, expert parallelism,
// LoRA, lookahead, calibration, plugins, runtime), and settings that change nothing built do not.
import { describe, expect, it } from 'vitest';
import { V1, V2, plan } from './fixtures.js';

/** A two-GPU no_quant llama on A100 (expert parallelism needs no quantization). */
const BASE = V1.replace('accelerator: H100', 'accelerator: A100:2')
  .replace('quantization_type: fp8', 'quantization_type: no_quant')
  .replace('num_builder_gpus: 1', 'num_builder_gpus: 2\n    tensor_parallel_count: 2');
const hash = (text: string): string => plan(text).planHash;
const addBuild = (lines: string) => (t: string) =>
  t.replace('    tensor_parallel_count: 2\n', `    tensor_parallel_count: 2\n${lines}`);
const addRuntime = (lines: string) => (t: string) => `${t}  runtime:\n${lines}`;
const LORA =
  '    lora_adapters:\n      a: {source: HF, repo: org/a}\n    lora_configuration:\n      max_lora_rank: 8\n';
const LOOKAHEAD = (w: number, n: number, v: number) =>
  `    speculator:\n      speculative_decoding_mode: LOOKAHEAD_DECODING\n      lookahead_windows_size: ${w}\n      lookahead_ngram_size: ${n}\n      lookahead_verification_set_size: ${v}\n`;

const CHANGES: ReadonlyArray<readonly [string, (t: string) => string]> = [
  [
    'pipeline instead of tensor parallelism (same GPU count)',
    (t) => t.replace('tensor_parallel_count: 2', 'pipeline_parallel_count: 2'),
  ],
  ['expert parallelism', addBuild('    moe_expert_parallel_option: 2\n')],
  ['expert parallelism 1 (moe_tp_size 2)', addBuild('    moe_expert_parallel_option: 1\n')],
  ['a LoRA adapter', addBuild(LORA)],
  ['the LoRA adapter repo', addBuild(LORA.replace('org/a', 'org/b'))],
  ['the LoRA adapter revision', addBuild(LORA.replace('repo: org/a', 'repo: org/a, revision: v2'))],
  ['the LoRA adapter name', addBuild(LORA.replace('      a: ', '      b: '))],
  ['the LoRA rank', addBuild(LORA.replace('max_lora_rank: 8', 'max_lora_rank: 16'))],
  ['LoRA target modules', addBuild(`${LORA}      lora_target_modules: [q_proj, v_proj]\n`)],
  ['lookahead', addBuild(LOOKAHEAD(4, 3, 3))],
  ['the lookahead window', addBuild(LOOKAHEAD(5, 3, 3))],
  ['the lookahead n-gram size', addBuild(LOOKAHEAD(4, 4, 3))],
  ['the lookahead verification set', addBuild(LOOKAHEAD(4, 3, 4))],
  ['max_num_tokens', addBuild('    max_num_tokens: 4096\n')],
  ['max_prompt_embedding_table_size', addBuild('    max_prompt_embedding_table_size: 16\n')],
  ['gather_all_token_logits', addBuild('    gather_all_token_logits: true\n')],
  [
    'paged context FMHA off (with chunked context off, which needs it)',
    (t) =>
      addRuntime('    enable_chunked_context: false\n')(
        addBuild('    plugin_configuration:\n      paged_kv_cache: true\n      use_paged_context_fmha: false\n')(t),
      ),
  ],
  ['the KV cache memory fraction', addRuntime('    kv_cache_free_gpu_mem_fraction: 0.7\n')],
  ['a host KV cache', addRuntime('    kv_cache_host_memory_bytes: 1073741824\n')],
  ['chunked context off', addRuntime('    enable_chunked_context: false\n')],
  ['the batch scheduler policy', addRuntime('    batch_scheduler_policy: max_utilization\n')],
  ['the builder GPU count', (t) => t.replace('num_builder_gpus: 2', 'num_builder_gpus: 1')],
];

describe('plan hash from the config: v1', () => {
  it('the base config plans', () => {
    expect(hash(BASE)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each(CHANGES)('changes with %s', (_what, edit) => {
    const edited = edit(BASE);
    expect(edited).not.toBe(BASE);
    expect(hash(edited)).not.toBe(hash(BASE));
  });

  it('every change gives a hash of its own', () => {
    const hashes = CHANGES.map(([, edit]) => hash(edit(BASE)));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('calibration: dataset, size and sample length each change the hash', () => {
    const fp8 = BASE.replace('accelerator: A100:2', 'accelerator: H100:2').replace(
      'quantization_type: no_quant',
      'quantization_type: fp8',
    );
    const calib = (lines: string) => addBuild(`    quantization_config:\n${lines}`)(fp8);
    const hashes = [
      hash(fp8),
      hash(calib('      calib_dataset: org/other\n')),
      hash(calib('      calib_size: 512\n')),
      hash(calib('      calib_max_seq_length: 4096\n')),
    ];
    expect(new Set(hashes).size).toBe(4);
  });

  it('does not change with the model name or secrets that no step reads', () => {
    expect(
      hash(
        BASE.replace('model_name: base', 'model_name: other').replace(
          'hf_access_token: null',
          'hf_access_token: null\n  unused: null',
        ),
      ),
    ).toBe(hash(BASE));
  });
});

describe('plan hash from the config: v2', () => {
  it.each([
    ['max_batch_size', '    max_batch_size: 32\n'],
    ['max_num_tokens', '    max_num_tokens: 4096\n'],
    ['max_seq_len', '    max_seq_len: 4096\n'],
    ['chunked prefill', '    enable_chunked_prefill: false\n'],
  ])('changes with runtime %s', (_what, line) => {
    const edited = V2.replace('    tensor_parallel_size: 2\n', `    tensor_parallel_size: 2\n${line}`);
    expect(edited).not.toBe(V2);
    expect(hash(edited)).not.toBe(hash(V2));
  });

  it('changes with the tensor parallel size (and GPU count, which must equal it)', () => {
    const one = V2.replace('accelerator: H200:2', 'accelerator: H200').replace(
      'tensor_parallel_size: 2',
      'tensor_parallel_size: 1',
    );
    expect(hash(one)).not.toBe(hash(V2));
  });
});
