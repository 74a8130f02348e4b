// validateConfigText: parsing limits, positions, file order, unknown keys, secrets and the result shape.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import { MAX_CONFIG_BYTES } from '../../../orchestrator/config/yaml-source.js';
import { check, codes } from './helpers.js';

const VALID = `model_name: llama
resources:
  accelerator: H100:2
  use_gpu: true
secrets:
  hf_access_token: null
trt_llm:
  build:
    tensor_parallel_count: 2
    max_seq_len: 8192
    max_batch_size: 32
    quantization_type: fp8
    num_builder_gpus: 2
    checkpoint_repository:
      source: HF
      repo: meta-llama/Llama-3.1-8B-Instruct
      revision: main
    speculator:
      speculative_decoding_mode: LOOKAHEAD_DECODING
      lookahead_windows_size: 4
      lookahead_ngram_size: 5
      lookahead_verification_set_size: 3
`;

describe('validateConfigText: result', () => {
  it('returns defaults, parsed resources, secrets, userSet and the computed draft tokens', () => {
    const r = validateConfigText(VALID);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    const c = r.config;
    expect(c).not.toBeNull();
    if (!c) return;
    expect(c.trtLlm.inference_stack).toBe('v1');
    expect(c.trtLlm.build.max_num_tokens).toBe(8192);
    expect(c.trtLlm.build.quantization_config).toEqual({
      calib_size: 1024,
      calib_dataset: 'abisee/cnn_dailymail',
      calib_max_seq_length: 1536,
    });
    expect(c.trtLlm.build.checkpoint_repository).toEqual({
      source: 'HF',
      repo: 'meta-llama/Llama-3.1-8B-Instruct',
      revision: 'main',
      runtime_secret_name: 'hf_access_token',
    });
    expect(c.trtLlm.build.speculator?.num_draft_tokens).toBe(27);
    expect(c.resources).toEqual({
      accelerator: { type: 'H100', count: 2 },
      node_count: 1,
      cpu: null,
      memory: null,
      instance_type: null,
    });
    expect(c.secretNames).toEqual(['hf_access_token']);
    expect(c.modelName).toBe('llama');
    expect(c.userSet.has('trt_llm.build.max_seq_len')).toBe(true);
    expect(c.userSet.has('trt_llm.build.checkpoint_repository.revision')).toBe(true);
    expect(c.userSet.has('trt_llm.build.max_num_tokens')).toBe(false);
  });

  it('folds v2 gated_features into patch_kwargs', () => {
    const r = check({ trt_llm: { inference_stack: 'v2', runtime: { gated_features: { backend: 'pytorch' } } } });
    expect(r.valid).toBe(true);
    const t = r.config?.trtLlm;
    expect(t?.inference_stack).toBe('v2');
    if (t?.inference_stack === 'v2') {
      expect(t.runtime.patch_kwargs).toEqual({ backend: 'pytorch' });
      expect('gated_features' in t.runtime).toBe(false);
    }
  });

  it('instance_type overrides accelerator, cpu and memory', () => {
    const r = check({
      resources: { accelerator: undefined, instance_type: 'H100:2:16x160' },
      trt_llm: { build: { tensor_parallel_count: 2 } },
    });
    expect(r.errors).toEqual([]);
    expect(r.config?.resources).toMatchObject({ accelerator: { type: 'H100', count: 2 }, cpu: '16', memory: '160Gi' });
  });
});

describe('validateConfigText: positions and order', () => {
  it('points at the value for bad values and at the key for unknown keys, in file order', () => {
    const text = `resources:
  accelerator: H100
trt_llm:
  build:
    max_batch_sise: 8
    checkpoint_repository: {source: HF, repo: a/b}
    quantization_config:
      calib_size: 1000
`;
    const r = validateConfigText(text);
    expect(r.errors.map((e) => [e.code, e.line, e.column, e.path])).toEqual([
      ['UNKNOWN_KEY', 5, 5, 'trt_llm.build.max_batch_sise'],
      ['CALIB_SIZE_NOT_MULTIPLE_OF_64', 8, 19, 'trt_llm.build.quantization_config.calib_size'],
    ]);
    expect(r.errors[0]?.message).toContain('did you mean max_batch_size?');
    expect(r.errors[1]?.message).toBe('must be a multiple of 64 (got 1000); try 1024');
  });

  it('points at the parent mapping when a required key is missing', () => {
    const r = validateConfigText('resources: {accelerator: H100}\ntrt_llm:\n  build:\n    max_seq_len: 4096\n');
    const d = r.errors.find((e) => e.code === 'CHECKPOINT_REPOSITORY_REQUIRED');
    expect(d).toMatchObject({ line: 3, column: 3, path: 'trt_llm.build.checkpoint_repository' });
  });

  it('rejects integers written as floats or strings (strict ints)', () => {
    const r = validateConfigText(
      'resources: {accelerator: H100}\ntrt_llm:\n  build:\n    checkpoint_repository: {source: HF, repo: a/b}\n    max_batch_size: 2.0\n    max_seq_len: "2"\n',
    );
    expect(r.errors.map((e) => [e.code, e.path, e.line])).toEqual([
      ['INTEGER_EXPECTED', 'trt_llm.build.max_batch_size', 5],
      ['INTEGER_EXPECTED', 'trt_llm.build.max_seq_len', 6],
    ]);
  });

  it('treats a float-written resources integer as unset for the rules', () => {
    const r = validateConfigText(
      'resources: {accelerator: H100, node_count: 2.0}\ntrt_llm: {build: {checkpoint_repository: {source: HF, repo: a/b}}}\n',
    );
    expect(r.errors.map((e) => e.code)).toEqual(['INTEGER_EXPECTED']);
  });

  it('still runs cross-field rules when another field has a type error', () => {
    const r = check({
      resources: { accelerator: 'A100' },
      trt_llm: { build: { max_batch_size: 'many', quantization_type: 'fp8', num_builder_gpus: 1 } },
    });
    expect(codes(r)).toEqual(expect.arrayContaining(['INTEGER_EXPECTED', 'FP8_REQUIRES_SM89']));
  });
});

describe('validateConfigText: unknown and legacy keys', () => {
  it.each([
    [{ trt_llm: { build: { max_input_len: 1024 } } }, 'LEGACY_KEY', 'max_seq_len'],
    [
      { trt_llm: { build: { kv_cache_free_gpu_mem_fraction: 0.9 } } },
      'MISPLACED_KEY',
      'trt_llm.runtime.kv_cache_free_gpu_mem_fraction',
    ],
    [
      { trt_llm: { plugin_configuration: { paged_kv_cache: true } } },
      'MISPLACED_KEY',
      'trt_llm.build.plugin_configuration',
    ],
    [{ trt_llm: { runtime: { tensor_parallel_size: 2 } } }, 'MISPLACED_KEY', 'tensor_parallel_count'],
    [{ trt_llm: { build: { huggingface_ckpt_repository: 'a/b' } } }, 'LEGACY_KEY', 'checkpoint_repository'],
    [
      { trt_llm: { build: { checkpoint_repository: { source: 'HF', repo: 'a/b', revison: 'main' } } } },
      'UNKNOWN_KEY',
      'did you mean revision?',
    ],
    [{ resources: { acelerator: 'H100' } }, 'UNKNOWN_KEY', 'did you mean accelerator?'],
    [{ trt_llm: { build: { zzz_not_a_key: 1 } } }, 'UNKNOWN_KEY', 'known keys:'],
  ])('%j → %s', (patch, code, hint) => {
    const r = check(patch);
    const d = r.errors.find((e) => e.code === code);
    expect(d?.message).toContain(hint);
  });

  it('accepts other Truss top-level keys untouched', () => {
    expect(
      check({ requirements: ['x'], build_commands: [], model_metadata: { tags: ['openai-compatible'] } }).valid,
    ).toBe(true);
  });

  it('accepts free-form patch_kwargs keys', () => {
    expect(
      check({ trt_llm: { inference_stack: 'v2', runtime: { patch_kwargs: { anything: { nested: [1, 2.5, true] } } } } })
        .errors,
    ).toEqual([]);
  });
});

describe('validateConfigText: hostile input', () => {
  it('reports YAML syntax errors with a position', () => {
    const r = validateConfigText('trt_llm:\n  build: [\n');
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.code).toBe('YAML_SYNTAX_ERROR');
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports duplicate keys', () => {
    const r = validateConfigText('resources: {accelerator: H100}\ntrt_llm: {}\ntrt_llm: {}\n');
    expect(r.errors.map((e) => [e.code, e.line])).toEqual([['YAML_DUPLICATE_KEY', 3]]);
  });

  it('stops alias bombs', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i += 1)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const start = performance.now();
    const r = validateConfigText(lines.join('\n'));
    expect(performance.now() - start).toBeLessThan(2000);
    expect(r.errors.map((e) => e.code)).toEqual(['YAML_ALIAS_LIMIT']);
  });

  it("stays linear on huge mappings (yaml's own duplicate-key check is quadratic)", () => {
    // A ratio, not a wall-clock bound: 4x the keys must cost far less than the 16x of a quadratic
    // check, however loaded the machine is.
    const timed = (n: number): { ms: number; codes: Array<[string, number]> } => {
      const text = Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n');
      const start = performance.now();
      const r = validateConfigText(`${text}\nk7: dup\n`);
      return { ms: performance.now() - start, codes: r.errors.map((e) => [e.code, e.line]) };
    };
    timed(2000);
    const small = timed(8000);
    const large = timed(32000);
    expect(small.codes).toEqual([['YAML_DUPLICATE_KEY', 8001]]);
    expect(large.codes).toEqual([['YAML_DUPLICATE_KEY', 32001]]);
    expect(large.ms).toBeLessThan(small.ms * 10);
  });

  it('reports absurd nesting instead of overflowing the stack', () => {
    const r = validateConfigText(`a: ${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.code).toMatch(/^YAML_(TOO_DEEP|SYNTAX_ERROR)$/);
  });

  it('rejects files over 1 MiB before parsing', () => {
    const r = validateConfigText(`# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(r.errors.map((e) => e.code)).toEqual(['CONFIG_TOO_LARGE']);
  });

  it.each([
    ['', 'CONFIG_NOT_MAPPING'],
    ['- a\n- b\n', 'CONFIG_NOT_MAPPING'],
    ['? [a, b]\n: 1\ntrt_llm: {}\n', 'YAML_COMPLEX_KEY'],
    ['{resources: {accelerator: H100}, trt_llm: {build: {? {x: 1} : 2}}}', 'YAML_COMPLEX_KEY'],
    ['42', 'CONFIG_NOT_MAPPING'],
    ['resources: {accelerator: H100}\n', 'TRT_LLM_MISSING'],
    ['resources: {accelerator: H100}\ntrt_llm: null\n', 'TRT_LLM_MISSING'],
    ['resources: {accelerator: H100}\ntrt_llm: [1]\n', 'INVALID_TYPE'],
    ['resources: [H100]\ntrt_llm: {build: {checkpoint_repository: {source: HF, repo: a/b}}}\n', 'INVALID_TYPE'],
  ])('%j → %s', (text, code) => {
    expect(codes(validateConfigText(text))).toContain(code);
  });

  it('never prints secret values', () => {
    const token = 'hf_' + 'A'.repeat(34);
    const r = validateConfigText(
      `resources: {accelerator: H100}\nsecrets:\n  hf_access_token: ${token}\ntrt_llm:\n  build:\n    checkpoint_repository: {source: HF, repo: a/b, runtime_secret_name: ${token}}\n`,
    );
    expect(codes(r)).toEqual(expect.arrayContaining(['SECRET_VALUE_IN_CONFIG', 'SECRET_VALUE_AS_NAME']));
    const d = r.errors.find((e) => e.code === 'SECRET_VALUE_IN_CONFIG');
    expect(d).toMatchObject({ path: 'secrets.hf_access_token', line: 3, column: 3 });
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it('rejects a non-null secret value even when it is a placeholder', () => {
    expect(codes(check({ secrets: { hf_access_token: 'set token in baseten workspace' } }))).toEqual([
      'SECRET_VALUE_IN_CONFIG',
    ]);
  });

  // Corpus: truss-examples internal/config.yaml writes `hf_access_token: None` (Python spelling).
  it('says why a Python-style None secret is not null, and accepts the YAML null spellings', () => {
    const r = validateConfigText(
      'resources: {accelerator: H100}\nsecrets:\n  hf_access_token: None\ntrt_llm: {build: {checkpoint_repository: {source: HF, repo: a/b}}}\n',
    );
    expect(codes(r)).toEqual(['SECRET_VALUE_IN_CONFIG']);
    expect(r.errors[0]?.message).toMatch(
      /string "None", which YAML does not read as null; write hf_access_token: null/,
    );
    for (const spelling of ['null', '~', 'Null', '']) {
      expect(
        codes(
          validateConfigText(
            `resources: {accelerator: H100}\nsecrets:\n  hf_access_token: ${spelling}\ntrt_llm: {build: {checkpoint_repository: {source: HF, repo: a/b}}}\n`,
          ),
        ),
      ).toEqual([]);
    }
  });

  it('says trt_llm is null rather than missing when it is written as null', () => {
    const r = validateConfigText('resources: {accelerator: H100}\ntrt_llm: null\n');
    expect(r.errors.find((e) => e.code === 'TRT_LLM_MISSING')).toMatchObject({
      path: 'trt_llm',
      line: 2,
      message: expect.stringMatching(/^trt_llm is null/) as unknown,
    });
    expect(validateConfigText('resources: {accelerator: H100}\n').errors[0]?.message).toMatch(/^no trt_llm section/);
  });
});
