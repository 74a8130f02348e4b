// Parameter counts and weight bytes against published figures (sizes.md §1 "Confirmed" rows):
// official safetensors index total_size of Llama-3.1-8B/70B, Mixtral-8x7B, Qwen2.5-7B/72B; the HF
// file size of bge-large-en-v1.5; OpenAI's 60.8 GiB for gpt-oss-120b; the Keras Gemma-3 27B preset.
import { describe, expect, it } from 'vitest';
import { GIB, weightBytes } from '../../../orchestrator/preflight/memory-model.js';
import { paramCount } from '../../../orchestrator/preflight/param-count.js';
import { facts } from './helpers.js';

describe('paramCount against published checkpoint sizes', () => {
  it.each([
    ['meta-llama__Llama-3.1-8B-Instruct', 16_060_522_496],
    ['meta-llama__Llama-3.1-70B-Instruct', 141_107_412_992],
    ['mistralai__Mixtral-8x7B-v0.1', 93_405_585_408],
    ['Qwen__Qwen2.5-7B', 15_231_233_024],
    ['Qwen__Qwen2.5-72B', 145_412_407_296],
  ])('%s: 2 bytes × params = the index total_size %d', (name, totalSize) => {
    expect(2 * paramCount(facts(name))).toBe(totalSize);
    expect(weightBytes(facts(name), 'bf16')).toBe(totalSize);
  });

  it('bge-large-en-v1.5: 4 bytes × params = the 1.34 GB model.safetensors (fp32)', () => {
    expect(4 * paramCount(facts('BAAI__bge-large-en-v1.5'))).toBe(1_340_567_552);
  });

  it('Gemma-3 27B text model: the Keras preset minus the vision tower and the 64-row vocabulary difference', () => {
    // Keras 27,432,062,576 = text (vocab 262144) + SigLIP 416,866,032 + projector 6,194,304.
    const textKeras = 27_432_062_576 - 416_866_032 - 6_194_304;
    expect(paramCount(facts('google__gemma-3-27b-it'))).toBe(textKeras + 64 * 5376);
  });

  it('gpt-oss-120b as stored (MXFP4 experts, bf16 rest) is the 60.8 GiB of the model card', () => {
    expect(weightBytes(facts('openai__gpt-oss-120b'), 'bf16') / GIB).toBeCloseTo(60.77, 1);
  });

  it('gpt-oss-120b: expert matrices × 4.25 bit + the rest × 2 B (sizes.md split)', () => {
    expect(weightBytes(facts('openai__gpt-oss-120b'), 'bf16')).toBe(114_661_785_600 * (4.25 / 8) + 2_167_371_072 * 2);
  });

  it('DeepSeek-V3 as stored (fp8 block 128×128) plus its 13.46B-parameter MTP layer is within 0.5% of the documented 688,586,727,753 bytes', () => {
    const b = weightBytes(facts('deepseek-ai__DeepSeek-V3'), 'bf16');
    expect(Math.abs(b + 13_463_426_304 - 688_586_727_753) / 688_586_727_753).toBeLessThan(0.005);
  });

  it('quantized widths keep embeddings and LM head 16-bit (sizes.md §2 table)', () => {
    const f = facts('meta-llama__Llama-3.1-8B-Instruct');
    expect(weightBytes(f, 'fp8') / 1e9).toBeCloseTo(9.08, 2);
    expect(weightBytes(f, 'nvfp4') / 1e9).toBeCloseTo(6.03, 2);
    const q = facts('Qwen__Qwen3-235B-A22B');
    expect(weightBytes(q, 'fp8') / 1e9).toBeCloseTo(236.34, 1);
  });
});
