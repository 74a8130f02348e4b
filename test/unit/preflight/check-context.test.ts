import { describe, expect, it } from 'vitest';
import { checkContext, checkFormatDims, modelMaxSeqLen } from '../../../orchestrator/preflight/check-context.js';
import { facts, settingsFor } from './helpers.js';

describe('modelMaxSeqLen (support-1.2.md §4)', () => {
  it('does not multiply llama3 / yarn factors, nor Gemma-3 linear (already included)', () => {
    expect(modelMaxSeqLen(facts('meta-llama__Llama-3.1-8B'), 'v1')).toBe(131072);
    expect(modelMaxSeqLen(facts('deepseek-ai__DeepSeek-V3'), 'v2')).toBe(163840);
    expect(modelMaxSeqLen(facts('google__gemma-3-27b-it'), 'v2')).toBe(131072);
  });
  it('multiplies a linear factor elsewhere, caps Gemma-2 at 4096 on v1, and is null without max_position_embeddings', () => {
    const f = facts('Qwen__Qwen2.5-7B-Instruct');
    expect(
      modelMaxSeqLen({ ...f, ropeScaling: { type: 'linear', factor: 4, originalMaxPositionEmbeddings: null } }, 'v1'),
    ).toBe(131072);
    expect(modelMaxSeqLen(facts('google__gemma-2-9b-it'), 'v1')).toBe(4096);
    expect(modelMaxSeqLen({ ...f, maxPositionEmbeddings: null }, 'v1')).toBeNull();
  });
});

describe('checkContext', () => {
  it('rejects max_seq_len past max_position_embeddings with the limit as the fix; the limit itself passes', () => {
    const f = facts('Qwen__Qwen2.5-7B-Instruct');
    const [e] = checkContext(f, settingsFor({ repo: 'Qwen/Qwen2.5-7B-Instruct', maxSeqLen: 131072 }));
    expect(e).toMatchObject({
      code: 'PREFLIGHT_MAX_SEQ_LEN_TOO_LONG',
      severity: 'error',
      path: 'trt_llm.build.max_seq_len',
    });
    expect(e?.message).toMatch(/max_seq_len 131072 exceeds the 32768 tokens.*set max_seq_len to 32768 or less$/);
    expect(checkContext(f, settingsFor({ repo: 'Qwen/Qwen2.5-7B-Instruct', maxSeqLen: 32768 }))).toEqual([]);
  });
  it('names the v2 path and the clamp on v2, and the llama3 reason', () => {
    const [e] = checkContext(facts('meta-llama__Llama-3.1-8B'), settingsFor({ v2: true, maxSeqLen: 262144 }));
    expect(e?.path).toBe('trt_llm.runtime.max_seq_len');
    expect(e?.message).toMatch(/rope_scaling llama3.*silently clamps/);
  });
  it('rejects Gemma-2 past 4096 on v1', () => {
    expect(
      checkContext(facts('google__gemma-2-9b-it'), settingsFor({ repo: 'google/gemma-2-9b-it', maxSeqLen: 8192 }))[0]
        ?.message,
    ).toMatch(/caps Gemma-2 at 4096/);
    expect(
      checkContext(facts('google__gemma-2-9b-it'), settingsFor({ repo: 'google/gemma-2-9b-it', maxSeqLen: 4096 })),
    ).toEqual([]);
  });
  it('skips encoders (their length comes from the model) and unset max_seq_len', () => {
    expect(
      checkContext(
        facts('Qwen__Qwen3-8B'),
        settingsFor({ repo: 'Qwen/Qwen3-Embedding-8B', baseModel: 'encoder', maxSeqLen: 1000000 }),
      ),
    ).toEqual([]);
    expect(checkContext(facts('Qwen__Qwen3-8B'), settingsFor({ repo: 'Qwen/Qwen3-8B' }))).toEqual([]);
  });
});

describe('checkFormatDims', () => {
  it('rejects FP8 when a GEMM dimension is not a multiple of 16; real models pass', () => {
    const f = facts('meta-llama__Llama-3.1-8B');
    expect(
      checkFormatDims({ ...f, intermediateSize: 14344 }, settingsFor({ quant: 'fp8' })).map((x) => x.code),
    ).toEqual(['PREFLIGHT_FORMAT_DIMENSIONS']);
    expect(checkFormatDims({ ...f, intermediateSize: 14344 }, settingsFor({}))).toEqual([]);
    expect(checkFormatDims(f, settingsFor({ quant: 'fp8' }))).toEqual([]);
  });
  it('warns when the vocabulary is padded for TP', () => {
    const f = { ...facts('meta-llama__Llama-3.1-8B'), vocabSize: 32001 };
    expect(checkFormatDims(f, settingsFor({ tp: 2 }))[0]).toMatchObject({ code: 'PREFLIGHT_VOCAB_PADDED' });
    expect(checkFormatDims(f, settingsFor({ tp: 2 }))[0]?.message).toContain('32002 rows');
    expect(checkFormatDims(f, settingsFor({ tp: 1 }))).toEqual([]);
  });
});
