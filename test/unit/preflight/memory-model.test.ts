// KV-cache figures compared with TensorRT-LLM 1.2's own formulas (support-1.2.md §5: [CPPKV]
// calculateCacheSizePerToken, [RM] get_cache_size_per_token incl. MLA, [BENCH] calc_engine_setting)
// and the commonly published 128 KiB/token (Llama-3 8B) and 320 KiB/token (Llama-3 70B) in BF16.
import { describe, expect, it } from 'vitest';
import {
  GIB,
  activationBytes,
  calibrationGpusNeeded,
  kvBytesPerToken,
  memoryTable,
} from '../../../orchestrator/preflight/memory-model.js';
import { facts } from './helpers.js';

const base = {
  format: 'bf16' as const,
  kvFp8: false,
  tp: 1,
  pp: 1,
  gpuMemoryBytes: 80 * GIB,
  maxBatchSize: 64,
  maxNumTokens: 8192,
  maxSeqLen: 8192,
  freeGpuMemFraction: 0.9,
};

describe('kvBytesPerToken', () => {
  it('GQA: 2 × layers × KV heads × head_dim × dtype bytes', () => {
    expect(kvBytesPerToken(facts('meta-llama__Llama-3.1-8B'), 1, 1, false)).toBe(128 * 1024);
    expect(kvBytesPerToken(facts('meta-llama__Llama-3.1-70B-Instruct'), 1, 1, false)).toBe(320 * 1024);
    expect(kvBytesPerToken(facts('meta-llama__Llama-3.1-70B-Instruct'), 4, 1, true)).toBe(40 * 1024);
  });
  it('MLA: layers × (kv_lora_rank + qk_rope_head_dim) × dtype bytes, not divided by TP', () => {
    const f = facts('deepseek-ai__DeepSeek-V3');
    expect(kvBytesPerToken(f, 1, 1, false)).toBe(70_272);
    expect(kvBytesPerToken(f, 8, 1, false)).toBe(70_272);
    expect(kvBytesPerToken(f, 8, 1, true)).toBe(35_136);
  });
  it('keeps one KV head per GPU beyond TP = KV heads (replication), matching trtllm-bench max(tp, kv) over the group', () => {
    const f = facts('Qwen__Qwen3-235B-A22B');
    for (const tp of [1, 2, 4, 8, 16]) {
      const bench = 2 * f.numLayers * Math.max(tp, f.numKvHeads) * f.headDim * 2;
      expect(kvBytesPerToken(f, tp, 1, false) * tp).toBe(bench);
    }
  });
  it('splits layers over pipeline stages (ceil)', () => {
    expect(kvBytesPerToken(facts('meta-llama__Llama-3.1-405B'), 8, 4, false)).toBe(2 * 32 * 1 * 128 * 2);
  });
});

describe('memoryTable', () => {
  it('Llama-3.1-70B BF16 does not fit one 80 GB GPU; at TP 4 it does, with KV room', () => {
    const f = facts('meta-llama__Llama-3.1-70B-Instruct');
    expect(memoryTable(f, base).weightsFit).toBe(false);
    const t = memoryTable(f, { ...base, tp: 4 });
    expect(t.weightsFit).toBe(true);
    expect(t.weightsBytes).toBe(141_107_412_992 / 4);
    expect(t.kvCapacityTokens).toBeGreaterThan(100_000);
  });
  it('FP8 Llama-3.3-70B fits one H100 by weights (llama README: "1 GPU as well for FP8")', () => {
    expect(memoryTable(facts('meta-llama__Llama-3.3-70B-Instruct'), { ...base, format: 'fp8' }).weightsFit).toBe(true);
  });
  it('capacity follows the free fraction and the sequence arithmetic', () => {
    const f = facts('meta-llama__Llama-3.1-8B');
    const t = memoryTable(f, base);
    const free = 80 * GIB - t.weightsBytes - t.activationBytes - t.overheadBytes;
    expect(Math.abs(t.kvCacheBytes - free * 0.9)).toBeLessThan(2);
    expect(t.kvCapacityTokens).toBe(Math.floor(t.kvCacheBytes / (128 * 1024)));
    expect(t.sequencesAtMaxSeqLen).toBe(Math.floor(t.kvCapacityTokens / 8192));
    expect(t.seqLenAtMaxBatch).toBe(Math.floor(t.kvCapacityTokens / 64));
    expect(t.requestedTokens).toBe(64 * 8192);
  });
  it('activations grow with max_num_tokens and shrink with TP', () => {
    const f = facts('meta-llama__Llama-3.1-8B');
    expect(activationBytes(f, 1, 16384, 1)).toBeGreaterThan(activationBytes(f, 1, 8192, 1));
    expect(activationBytes(f, 2, 8192, 1)).toBeLessThan(activationBytes(f, 1, 8192, 1));
  });
});

describe('calibrationGpusNeeded', () => {
  it('70B BF16 (141 GB) needs 2 × 80 GB for quantize.py, 8B needs 1, 405B needs 11', () => {
    expect(calibrationGpusNeeded(facts('meta-llama__Llama-3.3-70B-Instruct'), 80 * GIB)).toBe(2);
    expect(calibrationGpusNeeded(facts('meta-llama__Llama-3.1-8B'), 80 * GIB)).toBe(1);
    expect(calibrationGpusNeeded(facts('meta-llama__Llama-3.1-405B'), 80 * GIB)).toBe(11);
    expect(calibrationGpusNeeded(facts('meta-llama__Llama-3.1-8B'), 0)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
