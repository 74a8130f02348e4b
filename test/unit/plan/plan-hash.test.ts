import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../orchestrator/plan/plan-hash.js';
import { V1, V2, plan } from './fixtures.js';

const hash = (text: string, options?: Parameters<typeof plan>[1]): string => plan(text, options).planHash;
const base = hash(V1);

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });
  it('drops undefined members', () => expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}'));
  it('writes an undefined array item, and undefined itself, as null (as JSON.stringify does)', () => {
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
    expect(canonicalJson([1, undefined, 2])).toBe(JSON.stringify([1, undefined, 2]));
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: [undefined] })).toBe('{"a":[null]}');
  });
  it('writes scalars as JSON', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });
});

describe('planHash invariance', () => {
  it('has the sha256: + 64 hex form and is stable across runs', () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash(V1)).toBe(base);
  });

  it('ignores key order', () => {
    const reordered = V1.replace(
      '    max_batch_size: 64\n    quantization_type: fp8\n    num_builder_gpus: 1\n',
      '    num_builder_gpus: 1\n    quantization_type: fp8\n    max_batch_size: 64\n',
    ).replace(
      '      source: HF\n      repo: meta-llama/Llama-3.1-8B-Instruct\n',
      '      repo: meta-llama/Llama-3.1-8B-Instruct\n      source: HF\n',
    );
    expect(reordered).not.toBe(V1);
    expect(hash(reordered)).toBe(base);
  });

  it('ignores comments', () => {
    expect(hash(`# a comment\n${V1.replace('max_batch_size: 64', 'max_batch_size: 64  # tuned')}`)).toBe(base);
  });

  it('ignores defaults written out', () => {
    const explicit = V1.replace(
      '    num_builder_gpus: 1\n',
      [
        '    num_builder_gpus: 1',
        '    base_model: decoder',
        '    max_num_tokens: 8192',
        '    tensor_parallel_count: 1',
        '    quantization_config:',
        '      calib_size: 1024',
        '      calib_max_seq_length: 1536',
        '      calib_dataset: abisee/cnn_dailymail',
        '    plugin_configuration:',
        '      paged_kv_cache: true',
        '      use_paged_context_fmha: true',
        '  inference_stack: v1',
        '  runtime:',
        '    kv_cache_free_gpu_mem_fraction: 0.9',
        '    enable_chunked_context: true',
        '    batch_scheduler_policy: guaranteed_no_evict',
        '',
      ].join('\n'),
    );
    expect(hash(explicit)).toBe(base);
  });

  it('ignores keys that do not affect the build', () => {
    const cosmetic = V1.replace(
      'model_name: base',
      'model_name: renamed\ndescription: something else\nrequirements: [numpy]\npython_version: py311',
    ).replace('  use_gpu: true', '  use_gpu: true\n  cpu: "8"\n  memory: 64Gi');
    expect(hash(cosmetic)).toBe(base);
  });

  it('ignores which secret holds the token (names are not artifacts)', () => {
    const renamed = V1.replace('hf_access_token: null', 'my_token: null').replace(
      '      revision: main',
      '      revision: main\n      runtime_secret_name: my_token',
    );
    expect(hash(renamed)).toBe(base);
  });
});

describe('planHash sensitivity', () => {
  it.each([
    ['max_batch_size', (t: string) => t.replace('max_batch_size: 64', 'max_batch_size: 32')],
    ['quantization_type', (t: string) => t.replace('quantization_type: fp8', 'quantization_type: fp8_kv')],
    [
      'calib_size',
      (t: string) =>
        t.replace(
          '    num_builder_gpus: 1\n',
          '    num_builder_gpus: 1\n    quantization_config:\n      calib_size: 512\n',
        ),
    ],
    [
      'checkpoint revision',
      (t: string) => t.replace('revision: main', 'revision: 0e9e39f249a16976918f6564b8830bc894c89659'),
    ],
    ['checkpoint repo', (t: string) => t.replace('Llama-3.1-8B-Instruct', 'Llama-3.1-8B')],
    ['GPU type (SM)', (t: string) => t.replace('accelerator: H100', 'accelerator: L4')],
    ['builder GPUs', (t: string) => t.replace('num_builder_gpus: 1', 'num_builder_gpus: 2')],
    ['lane tag', (t: string) => `${t}  version_overrides:\n    engine_builder_version: 1.2.0\n`],
    ['runtime launch settings', (t: string) => `${t}  runtime:\n    kv_cache_free_gpu_mem_fraction: 0.8\n`],
    ['max_seq_len', (t: string) => t.replace('max_batch_size: 64', 'max_batch_size: 64\n    max_seq_len: 4096')],
  ])('changes with %s', (_what, edit) => {
    const edited = edit(V1);
    expect(edited).not.toBe(V1);
    expect(hash(edited)).not.toBe(base);
  });

  it('changes with the service image pin', () => {
    expect(hash(V1, { lanes: { v1: { digest: `sha256:${'b'.repeat(64)}` } } })).not.toBe(base);
    expect(hash(V1, { lanes: { v1: { registry: 'mirror.local' } } })).not.toBe(base);
  });

  it('does not change with step time limits', () => {
    expect(hash(V1, { stepTimeoutSeconds: { engine_build: 60 } })).toBe(base);
  });

  it('changes with v2 patch_kwargs that reach the YAML, not with ones left out', () => {
    const v2 = hash(V2);
    expect(
      hash(
        V2.replace(
          '    tensor_parallel_size: 2\n',
          '    tensor_parallel_size: 2\n    patch_kwargs:\n      enable_attention_dp: true\n',
        ),
      ),
    ).not.toBe(v2);
    expect(
      hash(
        V2.replace(
          '    tensor_parallel_size: 2\n',
          '    tensor_parallel_size: 2\n    patch_kwargs:\n      tool_call_parser: qwen25\n',
        ),
      ),
    ).toBe(v2);
  });
});

describe('planHash and nested patch_kwargs', () => {
  it('ignores key order inside patch_kwargs values at any depth', () => {
    const a = V2.replace(
      '    tensor_parallel_size: 2\n',
      '    tensor_parallel_size: 2\n    patch_kwargs:\n      moe_config:\n        backend: TRTLLM\n        load_balancer: {num_slots: 2, layer_updates_per_iter: 1}\n      attention_dp_config: {enable_balance: true, batching_wait_iters: 2}\n',
    );
    const b = V2.replace(
      '    tensor_parallel_size: 2\n',
      '    tensor_parallel_size: 2\n    patch_kwargs:\n      attention_dp_config: {batching_wait_iters: 2, enable_balance: true}\n      moe_config:\n        load_balancer: {layer_updates_per_iter: 1, num_slots: 2}\n        backend: TRTLLM\n',
    );
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(V2));
  });
});

describe('planHash covers every step kind', () => {
  it('refuses a step kind it does not know instead of hashing it as a plain step', async () => {
    const { planHash } = await import('../../../orchestrator/plan/plan-hash.js');
    const p = plan(V1);
    const odd = { ...p, steps: [...p.steps, { ...p.steps[0], kind: 'teleport' }] } as unknown as Parameters<
      typeof planHash
    >[0];
    expect(() => planHash(odd)).toThrow(/unknown step kind "teleport"/);
  });

  it('changes when the step or Triton image changes', () => {
    expect(hash(V1, { lanes: { steps: { repository: 'team/steps' } } })).not.toBe(base);
    expect(hash(V1, { lanes: { triton: { repository: 'team/triton' } } })).not.toBe(base);
  });
});
