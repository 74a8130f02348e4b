import { describe, expect, it } from 'vitest';
import { checkArchitecture } from '../../../orchestrator/preflight/check-architecture.js';
import type { ModelFacts } from '../../../orchestrator/preflight/model-facts.js';
import { facts, settingsFor } from './helpers.js';

const codes = (f: ModelFacts, s: Parameters<typeof checkArchitecture>[1]): string[] =>
  checkArchitecture(f, s).map((x) => x.code);

describe('checkArchitecture', () => {
  it('rejects an architecture the v1 lane has no converter for, with the v2 fix; v2 accepts it', () => {
    const f = facts('deepseek-ai__DeepSeek-V3');
    const [e] = checkArchitecture(f, settingsFor({ repo: 'deepseek-ai/DeepSeek-V3', accelerator: 'H200:8', tp: 8 }));
    expect(e).toMatchObject({
      code: 'PREFLIGHT_ARCH_UNSUPPORTED',
      severity: 'error',
      path: 'trt_llm.build.checkpoint_repository.repo',
    });
    expect(e?.message).toMatch(/no converter for DeepseekV3ForCausalLM.*set inference_stack: v2/);
    expect(codes(f, settingsFor({ v2: true, repo: 'deepseek-ai/DeepSeek-V3', accelerator: 'H200:8', tp: 8 }))).toEqual(
      [],
    );
  });

  it('rejects Gemma-2 on v2 (not registered) and accepts it on v1', () => {
    const f = facts('google__gemma-2-9b-it');
    expect(checkArchitecture(f, settingsFor({ v2: true, repo: 'google/gemma-2-9b-it' }))[0]).toMatchObject({
      code: 'PREFLIGHT_ARCH_UNSUPPORTED',
      path: 'trt_llm.inference_stack',
    });
    expect(checkArchitecture(f, settingsFor({ v2: true, repo: 'google/gemma-2-9b-it' }))[0]?.message).toMatch(
      /set inference_stack: v1/,
    );
    expect(codes(f, settingsFor({ repo: 'google/gemma-2-9b-it' }))).not.toContain('PREFLIGHT_ARCH_UNSUPPORTED');
  });

  it('rejects a format the family does not support (NVFP4 for Qwen2.5 on v1) and accepts FP8', () => {
    const f = facts('Qwen__Qwen2.5-7B-Instruct');
    const [e] = checkArchitecture(
      f,
      settingsFor({ repo: 'Qwen/Qwen2.5-7B-Instruct', accelerator: 'B200', quant: 'fp4' }),
    );
    expect(e).toMatchObject({ code: 'PREFLIGHT_FORMAT_UNSUPPORTED', path: 'trt_llm.build.quantization_type' });
    expect(e?.message).toMatch(/use quantization_type: fp8$/);
    expect(codes(f, settingsFor({ repo: 'Qwen/Qwen2.5-7B-Instruct', quant: 'fp8' }))).toEqual([]);
  });

  it('warns for a format documented only with limits (FP8 Qwen3 on v1)', () => {
    expect(codes(facts('Qwen__Qwen3-8B'), settingsFor({ repo: 'Qwen/Qwen3-8B', quant: 'fp8' }))).toEqual([
      'PREFLIGHT_FORMAT_UNVERIFIED',
    ]);
    expect(codes(facts('Qwen__Qwen3-8B'), settingsFor({ repo: 'Qwen/Qwen3-8B' }))).toEqual([]);
  });

  it('warns for an architecture outside the support table', () => {
    const f = { ...facts('meta-llama__Llama-3.1-8B'), architecture: 'GraniteForCausalLM' };
    expect(codes(f, settingsFor({ repo: 'ibm/granite-8b' }))).toEqual(['PREFLIGHT_ARCH_UNVERIFIED']);
  });

  it('checks base_model against the kind of model', () => {
    const bert = facts('BAAI__bge-large-en-v1.5');
    expect(codes(bert, settingsFor({ repo: 'BAAI/bge-large-en-v1.5', baseModel: 'decoder' }))).toContain(
      'PREFLIGHT_BASE_MODEL_MISMATCH',
    );
    expect(codes(bert, settingsFor({ repo: 'BAAI/bge-large-en-v1.5', baseModel: 'encoder' }))).toContain(
      'PREFLIGHT_BASE_MODEL_MISMATCH',
    );
    expect(codes(bert, settingsFor({ repo: 'BAAI/bge-large-en-v1.5', baseModel: 'encoder_bert' }))).toEqual([]);
    const qwen = facts('Qwen__Qwen3-8B');
    expect(
      checkArchitecture(qwen, settingsFor({ repo: 'Qwen/Qwen3-Embedding-8B', baseModel: 'encoder_bert' }))[0]?.message,
    ).toMatch(/use base_model: decoder/);
    expect(codes(qwen, settingsFor({ repo: 'Qwen/Qwen3-Embedding-8B', baseModel: 'encoder' }))).toEqual([]);
  });

  it("warns when the converter family guessed from the repo name is not the checkpoint's", () => {
    const f = facts('Qwen__Qwen2.5-7B-Instruct');
    expect(codes(f, settingsFor({ repo: 'acme/llama-lookalike' }))).toEqual(['PREFLIGHT_FAMILY_GUESS_WRONG']);
    expect(codes(f, settingsFor({ repo: 'acme/qwen-finetune' }))).toEqual([]);
  });
});
