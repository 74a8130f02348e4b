/** Planner rules: steps, GPUs, workers, pre-computed trtllm-build adjustments, secrets, v2 shapes. */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { FetchStep, PublishStep } from '../../../orchestrator/plan/types.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { V1, V2, argvOf, flagValue, plan, planErrors } from './fixtures.js';

const fetchOf = (p: ReturnType<typeof plan>): FetchStep => p.steps.find((s) => s.kind === 'fetch') as FetchStep;
const publishOf = (p: ReturnType<typeof plan>): PublishStep => p.steps.find((s) => s.kind === 'publish') as PublishStep;
const tp4 = V1.replace('accelerator: H100', 'accelerator: H100:4').replace(
  'num_builder_gpus: 1',
  'tensor_parallel_count: 4',
);

describe('v1 decoder plans', () => {
  it('runs fetch → quantize → engine_build → publish for fp8', () => {
    const p = plan(V1);
    expect(p.steps.map((s) => s.kind)).toEqual(['fetch', 'quantize', 'engine_build', 'publish']);
    expect(p.steps.map((s) => s.gpus)).toEqual([0, 1, 1, 0]);
    expect(p.builder).toEqual({ gpuType: 'H100', gpuCount: 1 });
    expect(p.accelerator).toEqual({ type: 'H100', count: 1, sm: 90 });
    expect(Object.keys(p.launch).sort()).toEqual(['triton', 'trtllm-serve']);
  });

  it('runs convert instead of quantize for no_quant llama/qwen, and ModelOpt full_prec for other families', () => {
    const noQuant = V1.replace('quantization_type: fp8', 'quantization_type: no_quant');
    expect(argvOf(plan(noQuant), 'convert')[1]).toMatch(/models\/core\/llama\/convert_checkpoint\.py$/);
    const qwen = plan(noQuant.replace('meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen2.5-7B-Instruct'));
    expect(argvOf(qwen, 'convert')[1]).toMatch(/models\/core\/qwen\/convert_checkpoint\.py$/);
    const gemma = plan(noQuant.replace('meta-llama/Llama-3.1-8B-Instruct', 'google/gemma-2-9b-it'));
    expect(flagValue(argvOf(gemma, 'quantize'), '--qformat')).toBe('full_prec');
    expect(fetchOf(gemma).items.map((i) => i.role)).toEqual(['checkpoint']);
    expect(gemma.assumptions.join('\n')).toMatch(/model family generic: .*gemma-2-9b-it/);
  });

  it('maps quantization types to --qformat / --kv_cache_dtype and fetches the calibration set', () => {
    const cases = [
      ['fp8', 'H100', 'fp8', undefined],
      ['fp8_kv', 'H100', 'fp8', 'fp8'],
      ['fp4', 'B200', 'nvfp4', undefined],
      ['fp4_kv', 'B200', 'nvfp4', 'fp8'],
    ] as const;
    for (const [type, gpu, qformat, kv] of cases) {
      const p = plan(
        V1.replace('accelerator: H100', `accelerator: ${gpu}`).replace(
          'quantization_type: fp8',
          `quantization_type: ${type}`,
        ),
      );
      const q = argvOf(p, 'quantize');
      expect([type, flagValue(q, '--qformat'), flagValue(q, '--kv_cache_dtype')]).toEqual([type, qformat, kv]);
      // quantize.py reads a path containing "cnn_dailymail" as that dataset (config 3.0.0, column article).
      expect(flagValue(q, '--calib_dataset')).toBe('/workspace/calibration/cnn_dailymail');
      expect(fetchOf(p).items.find((i) => i.role === 'calibration_dataset')).toMatchObject({
        repo: 'abisee/cnn_dailymail',
        repoType: 'dataset',
        dest: '/workspace/calibration/cnn_dailymail',
      });
    }
  });

  it('puts any other calibration dataset where quantize.py reads split train, column text', () => {
    const p = plan(
      V1.replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    quantization_config:\n      calib_dataset: org/my-calibration-texts',
      ),
    );
    expect(flagValue(argvOf(p, 'quantize'), '--calib_dataset')).toBe('/workspace/calibration/dataset');
    expect(fetchOf(p).items.find((i) => i.role === 'calibration_dataset')?.dest).toBe('/workspace/calibration/dataset');
  });

  it('passes long calibration lengths to the tokenizer too', () => {
    const p = plan(
      V1.replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    quantization_config:\n      calib_max_seq_length: 4096',
      ),
    );
    expect(flagValue(argvOf(p, 'quantize'), '--tokenizer_max_seq_length')).toBe('4096');
  });

  it('pre-computes FP8 context FMHA: on only with an FP8 KV cache when paged context FMHA is on', () => {
    expect(flagValue(argvOf(plan(V1), 'engine_build'), '--use_fp8_context_fmha')).toBe('disable');
    expect(
      flagValue(
        argvOf(plan(V1.replace('quantization_type: fp8', 'quantization_type: fp8_kv')), 'engine_build'),
        '--use_fp8_context_fmha',
      ),
    ).toBe('enable');
  });

  it('uses the deployment GPU count for builders by default, num_builder_gpus when set', () => {
    const p = plan(tp4);
    expect(p.builder.gpuCount).toBe(4);
    expect(flagValue(argvOf(p, 'quantize'), '--tp_size')).toBe('4');
    expect(flagValue(argvOf(p, 'engine_build'), '--workers')).toBe('4');
    const two = plan(tp4.replace('tensor_parallel_count: 4', 'tensor_parallel_count: 4\n    num_builder_gpus: 2'));
    expect(two.builder.gpuCount).toBe(2);
    expect(two.steps.map((s) => s.gpus)).toEqual([0, 2, 2, 0]);
    expect(flagValue(argvOf(two, 'engine_build'), '--workers')).toBe('2');
  });

  it('builds lookahead engines whose launch configs carry the same (W, N, V) and draft length', () => {
    const p = plan(
      V1.replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    speculator:\n      speculative_decoding_mode: LOOKAHEAD_DECODING\n      lookahead_windows_size: 7\n      lookahead_ngram_size: 5\n      lookahead_verification_set_size: 3',
      ),
    );
    const build = argvOf(p, 'engine_build');
    expect(flagValue(build, '--speculative_decoding_mode')).toBe('lookahead_decoding');
    expect(flagValue(build, '--max_draft_len')).toBe('39');
    const yaml = parse(p.launch['trtllm-serve']?.files[0]?.content ?? '') as Record<string, unknown>;
    expect(yaml['speculative_config']).toEqual({
      decoding_type: 'Lookahead',
      max_window_size: 7,
      max_ngram_size: 5,
      max_verification_set_size: 3,
    });
    const pbtxt = p.launch['triton']?.files[0]?.content ?? '';
    for (const [k, v] of [
      ['decoding_mode', 'lookahead'],
      ['lookahead_window_size', '7'],
      ['lookahead_ngram_size', '5'],
      ['lookahead_verification_set_size', '3'],
    ]) {
      expect(pbtxt).toContain(`key: "${k}"\n  value: {\n    string_value: "${v}"`);
    }
  });

  it('raises max_num_tokens to max_batch_size x (draft + 1) for speculation, everywhere', () => {
    const p = plan(
      V1.replace('max_batch_size: 64', 'max_batch_size: 64\n    max_num_tokens: 1024').replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    speculator:\n      speculative_decoding_mode: LOOKAHEAD_DECODING\n      lookahead_windows_size: 8\n      lookahead_ngram_size: 3\n      lookahead_verification_set_size: 3',
      ),
    );
    expect(flagValue(argvOf(p, 'engine_build'), '--max_num_tokens')).toBe(String(64 * 22));
    expect(flagValue(p.launch['trtllm-serve']?.argv ?? [], '--max_num_tokens')).toBe(String(64 * 22));
    expect(p.assumptions.join('\n')).toMatch(/max_num_tokens 1024 raised to 1408/);
  });

  it('clips max_num_tokens to max_seq_len x max_batch_size', () => {
    const p = plan(
      V1.replace('max_batch_size: 64', 'max_batch_size: 2\n    max_seq_len: 1024\n    max_num_tokens: 8192'),
    );
    expect(flagValue(argvOf(p, 'engine_build'), '--max_num_tokens')).toBe('2048');
  });

  it('maps plugin_configuration and runtime settings into the build and both launch configs', () => {
    const cfg = V1.replace(
      'num_builder_gpus: 1',
      'num_builder_gpus: 1\n    plugin_configuration:\n      paged_kv_cache: true\n      use_paged_context_fmha: false',
    ).concat(
      '  runtime:\n    enable_chunked_context: false\n    batch_scheduler_policy: max_utilization\n    kv_cache_free_gpu_mem_fraction: 0.7\n    kv_cache_host_memory_bytes: 1073741824\n',
    );
    const p = plan(cfg);
    expect(flagValue(argvOf(p, 'engine_build'), '--use_paged_context_fmha')).toBe('disable');
    const yaml = parse(p.launch['trtllm-serve']?.files[0]?.content ?? '') as Record<string, Record<string, unknown>>;
    expect(yaml['kv_cache_config']).toEqual({
      free_gpu_memory_fraction: 0.7,
      enable_block_reuse: false,
      host_cache_size: 1073741824,
    });
    expect(yaml['scheduler_config']?.['capacity_scheduler_policy']).toBe('MAX_UTILIZATION');
    expect(yaml['enable_chunked_prefill']).toBe(false);
    const pbtxt = p.launch['triton']?.files[0]?.content ?? '';
    expect(pbtxt).toContain('key: "batch_scheduler_policy"\n  value: {\n    string_value: "max_utilization"');
    expect(pbtxt).toContain('key: "enable_kv_cache_reuse"\n  value: {\n    string_value: "false"');
    expect(pbtxt).toContain('key: "kv_cache_host_memory_bytes"\n  value: {\n    string_value: "1073741824"');
  });

  it('numbers LoRA adapters in name order, whatever the key order or names', () => {
    const lora = (order: string) =>
      V1.replace('accelerator: H100', 'accelerator: A100')
        .replace('quantization_type: fp8', 'quantization_type: no_quant')
        .concat(
          `    lora_adapters:\n${order}    lora_configuration:\n      max_lora_rank: 8\n      lora_target_modules: [q_proj, v_proj]\n`,
        );
    const a = plan(lora('      zeta: {source: HF, repo: org/z}\n      "..": {source: HF, repo: org/dots}\n'));
    const b = plan(lora('      "..": {source: HF, repo: org/dots}\n      zeta: {source: HF, repo: org/z}\n'));
    expect(a.planHash).toBe(b.planHash);
    expect(
      fetchOf(a)
        .items.filter((i) => i.role === 'lora_adapter')
        .map((i) => [i.name, i.dest]),
    ).toEqual([
      ['..', '/workspace/lora/0'],
      ['zeta', '/workspace/lora/1'],
    ]);
    const build = argvOf(a, 'engine_build');
    expect(build.slice(build.indexOf('--lora_dir'), build.indexOf('--lora_dir') + 3)).toEqual([
      '--lora_dir',
      '/workspace/lora/0',
      '/workspace/lora/1',
    ]);
    expect(build.slice(build.indexOf('--lora_target_modules') + 1, build.indexOf('--lora_target_modules') + 3)).toEqual(
      ['attn_q', 'attn_v'],
    );
    const yaml = parse(a.launch['trtllm-serve']?.files[0]?.content ?? '') as Record<string, Record<string, unknown>>;
    expect(yaml['lora_config']).toMatchObject({
      lora_dir: ['/models/artifact/lora/0', '/models/artifact/lora/1'],
      max_lora_rank: 8,
    });
  });

  it('names secrets only when the config declares them, and only on the fetch step', () => {
    const declared = plan(V1);
    expect(fetchOf(declared).secretEnv).toEqual(['hf_access_token']);
    expect(declared.steps.filter((s) => s.kind !== 'fetch').every((s) => s.secretEnv.length === 0)).toBe(true);
    const undeclared = plan(V1.replace('secrets:\n  hf_access_token: null\n', ''));
    expect(fetchOf(undeclared).secretEnv).toEqual([]);
    expect(fetchOf(undeclared).items.every((i) => i.secretName === null)).toBe(true);
  });

  it('applies service step time limits', () => {
    const p = plan(V1, { stepTimeoutSeconds: { engine_build: 600, quantize: -5 } });
    expect(p.steps.find((s) => s.id === 'engine_build')?.timeoutSeconds).toBe(600);
    expect(p.steps.find((s) => s.id === 'quantize')?.timeoutSeconds).toBe(6 * 3600);
  });
});

describe('v1 encoder plans', () => {
  it('encoder: no paged KV, at least 16384 tokens, max_seq_len from config.json, an encoder-server launch on the engine', () => {
    const p = plan(
      V1.replace('max_batch_size: 64', 'max_batch_size: 64\n    base_model: encoder\n    max_seq_len: 4096'),
    );
    const build = argvOf(p, 'engine_build');
    expect(flagValue(build, '--kv_cache_type')).toBe('continuous');
    expect(flagValue(build, '--use_paged_context_fmha')).toBe('disable');
    expect(flagValue(build, '--max_num_tokens')).toBe('16384');
    expect(build).not.toContain('--max_seq_len');
    const launch = p.launch['encoder'];
    expect(launch?.server).toBe('trt-encoder-server');
    expect(launch?.image).toBe(p.lane.stepsImage);
    expect(JSON.parse(launch?.files[0]?.content ?? '{}')).toMatchObject({
      engine_path: '/models/artifact',
      webserver_default_route: '/v1/embeddings',
      pooling: 'last',
    });
    // The server loads the engine (not HF weights, as text-embeddings-router would).
    expect(launch?.argv.slice(0, 2)).toEqual(['python3', '/opt/trt-orchestrator/steps/encoder_server.py']);
    expect(flagValue(launch?.argv ?? [], '--engine_dir')).toBe('/models/artifact');
    expect(flagValue(launch?.argv ?? [], '--route')).toBe('/v1/embeddings');
    expect(flagValue(launch?.argv ?? [], '--max_batch_size')).toBe('64');
  });

  it('encoder: token classification has no server for an engine: a plan error, not a launch that ignores the engine', () => {
    const errors = planErrors(
      V1.replace('max_batch_size: 64', 'max_batch_size: 64\n    base_model: encoder').concat(
        '  runtime:\n    webserver_default_route: /predict_tokens\n',
      ),
    );
    expect(errors.map((e) => e.code)).toEqual(['ENCODER_ROUTE_NOT_SERVED']);
  });
});

describe('v2 plans', () => {
  it('no_quant mirrors the checkpoint and serves it with the PyTorch backend', () => {
    const p = plan(V2);
    expect(p.stack).toBe('v2');
    expect(p.lane.name).toBe('v2-pytorch');
    expect(p.steps.map((s) => s.kind)).toEqual(['fetch', 'publish']);
    expect(publishOf(p)).toMatchObject({ artifactKind: 'checkpoint', artifactDir: '/workspace/checkpoint' });
    expect(p.launch['trtllm-serve']?.argv.slice(2, 4)).toEqual(['--backend', 'pytorch']);
    expect(flagValue(p.launch['trtllm-serve']?.argv ?? [], '--tp_size')).toBe('2');
  });

  it('quantized: exports a ModelOpt unified HF checkpoint (not quantize.py) in the step image and sets the FP8 KV dtype', () => {
    const p = plan(
      V2.replace('      repo: Qwen/Qwen3-30B-A3B\n', '      repo: Qwen/Qwen3-30B-A3B\n    quantization_type: fp8_kv\n'),
    );
    expect(p.steps.map((s) => s.kind)).toEqual(['fetch', 'quantize', 'publish']);
    expect(publishOf(p)).toMatchObject({ artifactKind: 'checkpoint', artifactDir: '/workspace/quantized_checkpoint' });
    expect(p.steps[1]?.gpus).toBe(2);
    const q = argvOf(p, 'quantize');
    expect(q.slice(0, 2)).toEqual(['python3', '/opt/trt-orchestrator/steps/export_hf_checkpoint.py']);
    expect(q.join(' ')).not.toMatch(/quantize\.py/);
    expect(p.steps[1]).toMatchObject({ image: p.lane.stepsImage });
    expect(flagValue(q, '--calib_dataset')).toBe('/workspace/calibration/cnn_dailymail');
    expect([
      flagValue(q, '--qformat'),
      flagValue(q, '--kv_cache_dtype'),
      flagValue(q, '--calib_size'),
      flagValue(q, '--calib_max_seq_length'),
    ]).toEqual(['fp8', 'fp8', '1024', '1536']);
    const yaml = parse(p.launch['trtllm-serve']?.files[0]?.content ?? '') as Record<string, unknown>;
    expect(yaml['kv_cache_config']).toEqual({ dtype: 'fp8' });
  });

  it('an FP8 KV cache alone is a runtime setting: no quantize step', () => {
    const p = plan(
      V2.replace(
        '    tensor_parallel_size: 2\n',
        '    tensor_parallel_size: 2\n    patch_kwargs:\n      kv_cache_config:\n        dtype: fp8\n',
      ),
    );
    expect(p.steps.map((s) => s.kind)).toEqual(['fetch', 'publish']);
    const yaml = parse(p.launch['trtllm-serve']?.files[0]?.content ?? '') as Record<string, unknown>;
    expect(yaml['kv_cache_config']).toEqual({ dtype: 'fp8' });
  });

  it('skip_build_result: nothing to fetch or build, launch configs only', () => {
    const p = plan(
      V2.replace(
        '    checkpoint_repository:\n      source: HF\n      repo: Qwen/Qwen3-30B-A3B\n',
        '    skip_build_result: true\n',
      ),
    );
    expect(p.steps.map((s) => s.kind)).toEqual(['publish']);
    expect(publishOf(p).artifactKind).toBe('none');
  });
});

describe('known checkpoint architecture (options.checkpointArchitecture)', () => {
  const noQuant = V1.replace('quantization_type: fp8', 'quantization_type: no_quant');
  const bert = `resources:\n  accelerator: L4\ntrt_llm:\n  build:\n    base_model: encoder_bert\n    checkpoint_repository: {source: HF, repo: org/some-model}\n`;

  it('picks the converter from the architecture rather than the repo name', () => {
    const p = plan(noQuant.replace('meta-llama/Llama-3.1-8B-Instruct', 'org/renamed-model'), {
      checkpointArchitecture: 'Qwen2ForCausalLM',
    });
    expect(argvOf(p, 'convert')[1]).toMatch(/\/qwen\/convert_checkpoint\.py$/);
    expect(p.assumptions[0]).toBe('model family qwen: checkpoint architecture Qwen2ForCausalLM');
    const other = plan(noQuant, { checkpointArchitecture: 'Gemma2ForCausalLM' });
    expect(flagValue(argvOf(other, 'quantize'), '--qformat')).toBe('full_prec');
  });

  it('picks the BERT class and the default route from the architecture', () => {
    const p = plan(bert, { checkpointArchitecture: 'XLMRobertaForSequenceClassification' });
    expect(flagValue(argvOf(p, 'convert'), '--model')).toBe('RobertaForSequenceClassification');
    expect(JSON.parse(p.launch['encoder']?.files[0]?.content ?? '{}')).toMatchObject({
      webserver_default_route: '/predict',
    });
    expect(flagValue(argvOf(plan(bert, { checkpointArchitecture: 'BertModel' }), 'convert'), '--model')).toBe(
      'BertModel',
    );
  });

  it('refuses a BERT-family architecture the converter has no class for', () => {
    const r = planConfigText(bert, { checkpointArchitecture: 'ModernBertModel' });
    expect(r.errors.map((e) => e.code)).toEqual(['ENCODER_BERT_ARCHITECTURE_NOT_IN_LANE']);
  });

  it('refuses an architecture string that is not a name', () => {
    const r = planConfigText(V1, { checkpointArchitecture: 'Llama; rm -rf /' });
    expect(r.errors).toEqual([
      expect.objectContaining({ code: 'ARCHITECTURE_INVALID', path: 'options.checkpointArchitecture' }),
    ]);
  });
});

describe('lookahead headroom', () => {
  it('builds with num_draft_tokens when it exceeds the (W, N, V) requirement, and says so', () => {
    const p = plan(
      V1.replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    speculator:\n      speculative_decoding_mode: LOOKAHEAD_DECODING\n      lookahead_windows_size: 4\n      lookahead_ngram_size: 5\n      lookahead_verification_set_size: 3\n      num_draft_tokens: 40',
      ),
    );
    expect(flagValue(argvOf(p, 'engine_build'), '--max_draft_len')).toBe('40');
    expect(p.assumptions.join('\n')).toMatch(/max_draft_len 40 .* headroom over the 27/);
  });
});

describe('calibration dataset credentials', () => {
  it('never sends a non-HF credential to Hugging Face for the calibration set', () => {
    const s3 = V1.replace('secrets:\n  hf_access_token: null\n', 'secrets:\n  aws_creds: null\n').replace(
      '      source: HF\n      repo: meta-llama/Llama-3.1-8B-Instruct\n      revision: main\n',
      '      source: S3\n      repo: s3://bucket/llama-3.1-8b\n      runtime_secret_name: aws_creds\n',
    );
    const p = plan(s3);
    const items = p.steps.find((s) => s.kind === 'fetch');
    expect(items?.kind === 'fetch' ? items.items.map((i) => [i.role, i.secretName]) : []).toEqual([
      ['checkpoint', 'aws_creds'],
      ['calibration_dataset', null],
    ]);
  });
});
