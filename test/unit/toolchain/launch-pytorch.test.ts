import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pytorchLlmApiOptions, pytorchServeLaunch } from '../../../orchestrator/toolchain/launch-pytorch.js';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';

const base = {
  tp: 4,
  maxBatchSize: 64,
  maxNumTokens: 8192,
  maxSeqLen: 32768,
  enableChunkedPrefill: true,
  kvCacheDtype: null,
  patchKwargs: {},
};

describe('pytorch launch options', () => {
  it('writes the runtime fields', () => {
    expect(pytorchLlmApiOptions(base)).toEqual({
      options: {
        max_batch_size: 64,
        max_num_tokens: 8192,
        max_seq_len: 32768,
        tensor_parallel_size: 4,
        enable_chunked_prefill: true,
      },
      notes: [],
    });
  });

  it('merges LLM API patch_kwargs, deep-merging known nested objects over the generated ones', () => {
    const { options, notes } = pytorchLlmApiOptions({
      ...base,
      kvCacheDtype: 'fp8',
      patchKwargs: {
        kv_cache_config: { free_gpu_memory_fraction: 0.8 },
        moe_config: { backend: 'TRTLLM' },
        enable_attention_dp: true,
      },
    });
    expect(options['kv_cache_config']).toEqual({ dtype: 'fp8', free_gpu_memory_fraction: 0.8 });
    expect(options['moe_config']).toEqual({ backend: 'TRTLLM' });
    expect(options['enable_attention_dp']).toBe(true);
    expect(notes).toEqual([]);
  });

  it('leaves out and reports keys the pinned LLM API would reject', () => {
    const { options, notes } = pytorchLlmApiOptions({
      ...base,
      patchKwargs: {
        tool_call_parser: 'qwen25',
        model_path: '/app/x',
        kv_cache_config: { dtype: 'fp8', bogus: 1 },
        max_batch_size: 1,
      },
    });
    expect(options).not.toHaveProperty('tool_call_parser');
    expect(options).not.toHaveProperty('model_path');
    expect(options['kv_cache_config']).toEqual({ dtype: 'fp8' });
    expect(options['max_batch_size']).toBe(64);
    expect(notes).toEqual([
      'trt_llm.runtime.patch_kwargs.kv_cache_config.bogus not written: not a kv_cache_config field in TensorRT-LLM 1.2',
      'trt_llm.runtime.patch_kwargs.max_batch_size not written: the trt_llm.runtime field of the same name sets it',
      'trt_llm.runtime.patch_kwargs.model_path not written: not an LLM API option of the pinned TensorRT-LLM 1.2 PyTorch backend',
      'trt_llm.runtime.patch_kwargs.tool_call_parser not written: not an LLM API option of the pinned TensorRT-LLM 1.2 PyTorch backend',
    ]);
  });

  it('rejects TensorRT-backend-only keys on the PyTorch lane', () => {
    const { notes } = pytorchLlmApiOptions({ ...base, patchKwargs: { build_config: {} } });
    expect(notes).toEqual([expect.stringContaining('patch_kwargs.build_config not written')]);
  });

  it('serves with --backend pytorch and a conforming argv whose YAML matches', () => {
    const { launch } = pytorchServeLaunch('nvcr.io/nvidia/tensorrt-llm/release:1.2.1', {
      ...base,
      maxSeqLen: null,
      enableChunkedPrefill: false,
    });
    expect(checkToolArgv(launch.argv)).toEqual([]);
    expect(launch.argv.slice(0, 4)).toEqual(['trtllm-serve', '/models/artifact', '--backend', 'pytorch']);
    expect(launch.argv).not.toContain('--max_seq_len');
    expect(launch.argv).not.toContain('--enable_chunked_prefill');
    expect(parse(launch.files[0]?.content ?? '')).toEqual({
      max_batch_size: 64,
      max_num_tokens: 8192,
      tensor_parallel_size: 4,
      enable_chunked_prefill: false,
    });
  });
});

describe('pytorch launch options: what patch_kwargs may not set', () => {
  it.each(['max_batch_size', 'max_num_tokens', 'max_seq_len', 'tensor_parallel_size', 'enable_chunked_prefill'])(
    'keeps the runtime field %s and reports the patch_kwargs value left out',
    (key) => {
      const { options, notes } = pytorchLlmApiOptions({ ...base, patchKwargs: { [key]: 7 } });
      expect(options).toEqual(pytorchLlmApiOptions(base).options);
      expect(notes).toEqual([
        `trt_llm.runtime.patch_kwargs.${key} not written: the trt_llm.runtime field of the same name sets it`,
      ]);
    },
  );

  it('writes a runtime-owned name inside a nested option (only top-level names are runtime-owned)', () => {
    const { options, notes } = pytorchLlmApiOptions({
      ...base,
      patchKwargs: { cuda_graph_config: { max_batch_size: 8 } },
    });
    expect(options['cuda_graph_config']).toEqual({ max_batch_size: 8 });
    expect(notes).toEqual([]);
  });
});

describe('pytorch launch options: values', () => {
  it('writes a null for a nested option as null (cuda_graph_config: null turns CUDA graphs off)', () => {
    const { options, notes } = pytorchLlmApiOptions({ ...base, patchKwargs: { cuda_graph_config: null } });
    expect(options).toHaveProperty('cuda_graph_config', null);
    expect(notes).toEqual([]);
  });

  it('writes a null inside a nested option as null', () => {
    const { options } = pytorchLlmApiOptions({ ...base, patchKwargs: { moe_config: { load_balancer: null } } });
    expect(options['moe_config']).toEqual({ load_balancer: null });
  });

  it('writes an allowed object option with no known field list whole, keys sorted at every depth', () => {
    const { options, notes } = pytorchLlmApiOptions({
      ...base,
      patchKwargs: { attention_dp_config: { timeout_iters: 50, enable_balance: true, b: { z: 1, a: 2 } } },
    });
    expect(notes).toEqual([]);
    const written = options['attention_dp_config'] as Record<string, unknown>;
    expect(written).toEqual({ enable_balance: true, timeout_iters: 50, b: { a: 2, z: 1 } });
    expect(Object.keys(written)).toEqual(['b', 'enable_balance', 'timeout_iters']);
    expect(Object.keys(written['b'] as object)).toEqual(['a', 'z']);
  });

  it('sorts keys inside arrays of objects and keeps array order', () => {
    const { options } = pytorchLlmApiOptions({
      ...base,
      patchKwargs: { cuda_graph_config: { batch_sizes: [8, 1, 4] }, checkpoint_format: [{ y: 1, x: 2 }, 'z'] },
    });
    expect(options['cuda_graph_config']).toEqual({ batch_sizes: [8, 1, 4] });
    const list = options['checkpoint_format'] as unknown[];
    expect(list).toEqual([{ x: 2, y: 1 }, 'z']);
    expect(Object.keys(list[0] as object)).toEqual(['x', 'y']);
  });

  it('merges nested fields in name order after the generated ones and reports unknown ones in name order', () => {
    const { options, notes } = pytorchLlmApiOptions({
      ...base,
      kvCacheDtype: 'fp8',
      patchKwargs: {
        kv_cache_config: { zeta: 1, free_gpu_memory_fraction: 0.5, alpha: 2, enable_block_reuse: false },
      },
    });
    expect(Object.keys(options['kv_cache_config'] as object)).toEqual([
      'dtype',
      'enable_block_reuse',
      'free_gpu_memory_fraction',
    ]);
    expect(notes).toEqual([
      'trt_llm.runtime.patch_kwargs.kv_cache_config.alpha not written: not a kv_cache_config field in TensorRT-LLM 1.2',
      'trt_llm.runtime.patch_kwargs.kv_cache_config.zeta not written: not a kv_cache_config field in TensorRT-LLM 1.2',
    ]);
  });

  it('writes the YAML with keys in a fixed order whatever the order patch_kwargs were written in', () => {
    const settings = {
      ...base,
      patchKwargs: { moe_config: { load_balancer: { num_slots: 2, layer_updates_per_iter: 1 }, backend: 'TRTLLM' } },
    };
    const { launch } = pytorchServeLaunch('img:1', settings);
    expect(launch.files).toEqual([
      {
        path: 'extra_llm_api_options.yaml',
        content: [
          'max_batch_size: 64',
          'max_num_tokens: 8192',
          'max_seq_len: 32768',
          'tensor_parallel_size: 4',
          'enable_chunked_prefill: true',
          'moe_config:',
          '  backend: TRTLLM',
          '  load_balancer:',
          '    layer_updates_per_iter: 1',
          '    num_slots: 2',
          '',
        ].join('\n'),
      },
    ]);
  });
});

describe('pytorch serve launch', () => {
  it('is the exact trtllm-serve argv with --max_seq_len and --enable_chunked_prefill when set', () => {
    const { launch, notes } = pytorchServeLaunch('nvcr.io/nvidia/tensorrt-llm/release:1.2.1', base);
    expect(notes).toEqual([]);
    expect(launch.server).toBe('trtllm-serve');
    expect(launch.image).toBe('nvcr.io/nvidia/tensorrt-llm/release:1.2.1');
    expect(launch.argv).toEqual([
      'trtllm-serve',
      '/models/artifact',
      '--backend',
      'pytorch',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--tp_size',
      '4',
      '--max_batch_size',
      '64',
      '--max_num_tokens',
      '8192',
      '--max_seq_len',
      '32768',
      '--enable_chunked_prefill',
      '--extra_llm_api_options',
      '/models/launch/extra_llm_api_options.yaml',
    ]);
    expect(checkToolArgv(launch.argv)).toEqual([]);
    expect(launch.files.map((f) => f.path)).toEqual(['extra_llm_api_options.yaml']);
  });

  it('serves another model directory when given one, and passes the notes on', () => {
    const { launch, notes } = pytorchServeLaunch(
      'img:1',
      { ...base, patchKwargs: { model_path: '/x' } },
      '/models/artifact/quantized',
    );
    expect(launch.argv[1]).toBe('/models/artifact/quantized');
    expect(notes).toEqual([
      'trt_llm.runtime.patch_kwargs.model_path not written: not an LLM API option of the pinned TensorRT-LLM 1.2 PyTorch backend',
    ]);
  });
});
