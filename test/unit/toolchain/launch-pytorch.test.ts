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
