import { describe, expect, it } from 'vitest';
import { checkParallelism, validTpSizes } from '../../../orchestrator/preflight/check-parallelism.js';
import { facts, settingsFor } from './helpers.js';

const codes = (name: string, o: Parameters<typeof settingsFor>[0]): string[] =>
  checkParallelism(facts(name), settingsFor(o)).map((x) => x.code);

describe('checkParallelism (support-1.2.md §3 examples)', () => {
  it('rejects 64 attention heads over 3 GPUs, naming the valid sizes; TP 4 is fine', () => {
    const [e] = checkParallelism(
      facts('meta-llama__Llama-3.1-70B-Instruct'),
      settingsFor({ repo: 'meta-llama/Llama-3.1-70B-Instruct', tp: 3 }),
    );
    expect(e).toMatchObject({
      code: 'PREFLIGHT_HEADS_NOT_DIVISIBLE',
      severity: 'error',
      path: 'trt_llm.build.tensor_parallel_count',
    });
    expect(e?.message).toContain('64 attention heads cannot be split over 3 GPUs');
    expect(e?.message).toContain('1, 2, 4, 8, 16');
    expect(codes('meta-llama__Llama-3.1-70B-Instruct', { repo: 'meta-llama/Llama-3.1-70B-Instruct', tp: 4 })).toEqual(
      [],
    );
  });

  it('rejects KV heads that do not split (phi-4: 10 KV heads at TP 4); TP 2 is fine', () => {
    expect(codes('microsoft__phi-4', { repo: 'microsoft/phi-4', tp: 4 })).toEqual(['PREFLIGHT_KV_HEADS_NOT_DIVISIBLE']);
    expect(codes('microsoft__phi-4', { repo: 'microsoft/phi-4', tp: 2 })).toEqual([]);
    expect(validTpSizes(facts('microsoft__phi-4'))).toEqual([1, 2, 5, 10]);
  });

  it('rejects TP above the KV heads that is not a multiple of them (Llama-3.2-3B TP 6, Qwen2.5-7B TP 7 on v2) and warns on replication (TP 16 over 8)', () => {
    expect(
      codes('meta-llama__Llama-3.2-3B-Instruct', { v2: true, repo: 'meta-llama/Llama-3.2-3B-Instruct', tp: 6 }),
    ).toContain('PREFLIGHT_KV_HEADS_NOT_DIVISIBLE');
    expect(
      checkParallelism(facts('Qwen__Qwen2.5-7B'), settingsFor({ v2: true, repo: 'Qwen/Qwen2.5-7B', tp: 7 }))[0]
        ?.message,
    ).toMatch(/7 GPUs exceed the 4 KV heads and 7 is not a multiple of 4.*1, 2, 4$/);
    expect(validTpSizes(facts('meta-llama__Llama-3.2-3B-Instruct'))).toEqual([1, 2, 4, 8]);
    expect(validTpSizes(facts('Qwen__Qwen2.5-7B'))).toEqual([1, 2, 4]);
    expect(
      codes('Qwen__Qwen3-235B-A22B', { v2: true, repo: 'Qwen/Qwen3-235B-A22B', tp: 8, accelerator: 'H200:8' }),
    ).toEqual(['PREFLIGHT_KV_HEADS_REPLICATED']);
    expect(
      codes('Qwen__Qwen3-235B-A22B', { v2: true, repo: 'Qwen/Qwen3-235B-A22B', tp: 4, accelerator: 'H200:4' }),
    ).toEqual([]);
  });

  it('ignores KV heads for MLA (DeepSeek declares 128 but caches a latent)', () => {
    expect(
      codes('deepseek-ai__DeepSeek-V3', { v2: true, repo: 'deepseek-ai/DeepSeek-V3', tp: 8, accelerator: 'H200:8' }),
    ).toEqual([]);
  });

  it('rejects experts that do not split over expert parallelism (100 experts over EP 8); 128 over EP 4 is fine', () => {
    const f = facts('Qwen__Qwen3-30B-A3B');
    const bad = checkParallelism(
      { ...f, moe: f.moe === null ? null : { ...f.moe, numExperts: 100 } },
      settingsFor({ v2: true, repo: 'Qwen/Qwen3-30B-A3B', tp: 8, ep: 8, accelerator: 'H100:8' }),
    );
    expect(bad.map((x) => x.code)).toContain('PREFLIGHT_EXPERTS_NOT_DIVISIBLE');
    expect(bad.find((x) => x.code === 'PREFLIGHT_EXPERTS_NOT_DIVISIBLE')?.path).toBe(
      'trt_llm.runtime.patch_kwargs.moe_expert_parallel_size',
    );
    expect(
      codes('Qwen__Qwen3-30B-A3B', { v2: true, repo: 'Qwen/Qwen3-30B-A3B', tp: 4, ep: 4, accelerator: 'H100:4' }),
    ).toEqual([]);
  });

  it('warns when expert parallelism is set on a dense model', () => {
    expect(codes('Qwen__Qwen3-8B', { v2: true, repo: 'Qwen/Qwen3-8B', tp: 2, ep: 2, accelerator: 'H100:2' })).toEqual([
      'PREFLIGHT_EP_WITHOUT_EXPERTS',
    ]);
  });

  it('rejects an uneven pipeline split on v1 (Llama-405B: 126 layers, PP 4); PP 2 is fine', () => {
    expect(codes('meta-llama__Llama-3.1-405B', { repo: 'meta-llama/Llama-3.1-405B', tp: 2, pp: 4 })).toEqual([
      'PREFLIGHT_LAYERS_NOT_DIVISIBLE',
    ]);
    expect(codes('meta-llama__Llama-3.1-405B', { repo: 'meta-llama/Llama-3.1-405B', tp: 4, pp: 2 })).toEqual([]);
  });

  it('rejects FFN widths that do not split', () => {
    const f = { ...facts('meta-llama__Llama-3.1-8B'), intermediateSize: 14338 };
    expect(checkParallelism(f, settingsFor({ tp: 4 })).map((x) => x.code)).toEqual(['PREFLIGHT_FFN_NOT_DIVISIBLE']);
    expect(checkParallelism(f, settingsFor({ tp: 2 })).map((x) => x.code)).toEqual([]);
  });
});
