import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, parseModelConfigText } from '../../../orchestrator/preflight/model-facts.js';
import { HF_CONFIG_DIR, configNames, configText, facts } from './helpers.js';

describe('vendored config.json files', () => {
  it('are byte-identical to the sha256 list in PROVENANCE.md', () => {
    const prov = readFileSync(`${HF_CONFIG_DIR}PROVENANCE.md`, 'utf8');
    const rows = [...prov.matchAll(/^(\S+\.config\.json) \| \d+ \| [0-9a-f]{40} \| ([0-9a-f]{64})$/gm)];
    expect(rows).toHaveLength(28);
    expect(rows.map((r) => r[1]?.replace('.config.json', '')).sort()).toEqual(configNames());
    for (const [, file, sha] of rows)
      expect(
        createHash('sha256')
          .update(configText((file ?? '').replace('.config.json', '')))
          .digest('hex'),
        file,
      ).toBe(sha);
  });

  it('all parse', () => {
    for (const n of configNames()) expect(parseModelConfigText(configText(n)).ok, n).toBe(true);
  });
});

describe('parseModelConfig', () => {
  it('reads a GQA decoder with llama3 rope scaling', () => {
    const f = facts('meta-llama__Llama-3.1-8B-Instruct');
    expect(f).toMatchObject({
      architecture: 'LlamaForCausalLM',
      hiddenSize: 4096,
      numLayers: 32,
      numHeads: 32,
      numKvHeads: 8,
      headDim: 128,
      vocabSize: 128256,
      maxPositionEmbeddings: 131072,
      tieWordEmbeddings: false,
      moe: null,
      mla: null,
    });
    expect(f.ropeScaling).toEqual({ type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 8192 });
  });

  it('takes head_dim when declared, hidden/heads only when absent', () => {
    expect(facts('google__gemma-2-9b-it').headDim).toBe(256);
    expect(facts('Qwen__Qwen3-32B').headDim).toBe(128);
    expect(facts('openai__gpt-oss-20b').headDim).toBe(64);
    expect(facts('microsoft__phi-4').headDim).toBe(128);
    expect(facts('microsoft__Phi-3-mini-4k-instruct').headDim).toBe(96);
  });

  it('reads the text model of a multimodal wrapper with the transformers defaults', () => {
    const f = facts('google__gemma-3-27b-it');
    expect(f).toMatchObject({
      architecture: 'Gemma3ForConditionalGeneration',
      modelType: 'gemma3_text',
      multimodal: true,
      numLayers: 62,
      vocabSize: 262208,
      maxPositionEmbeddings: 131072,
      headDim: 128,
      slidingWindow: 1024,
    });
  });

  it('treats a missing num_key_value_heads as MHA', () => {
    expect(facts('BAAI__bge-large-en-v1.5')).toMatchObject({ numHeads: 16, numKvHeads: 16, torchDtype: 'float32' });
    expect(facts('google-bert__bert-base-uncased').torchDtype).toBeNull();
  });

  it('reads MLA, MoE and pre-quantized checkpoints', () => {
    const d = facts('deepseek-ai__DeepSeek-V3');
    expect(d.mla).toEqual({ kvLoraRank: 512, qLoraRank: 1536, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128 });
    expect(d.moe).toMatchObject({
      numExperts: 256,
      expertsPerToken: 8,
      expertIntermediateSize: 2048,
      sharedExperts: 1,
      denseLayers: 3,
    });
    expect(d.preQuantized).toBe('fp8');
    expect(facts('openai__gpt-oss-120b')).toMatchObject({
      preQuantized: 'mxfp4',
      slidingWindow: 128,
      moe: { numExperts: 128, expertsPerToken: 4 },
    });
    expect(facts('mistralai__Mixtral-8x7B-v0.1').moe).toMatchObject({
      numExperts: 8,
      expertsPerToken: 2,
      expertIntermediateSize: 14336,
    });
  });

  it('ignores a sliding window the model does not use (Qwen2.5 use_sliding_window: false)', () => {
    expect(facts('Qwen__Qwen2.5-7B').slidingWindow).toBeNull();
    expect(facts('microsoft__Phi-3-mini-4k-instruct').slidingWindow).toBe(2047);
  });

  it('defaults tie_word_embeddings to true when absent (Gemma-2)', () => {
    expect(facts('google__gemma-2-9b-it').tieWordEmbeddings).toBe(true);
  });

  it('answers bad input with a message, never a throw', () => {
    expect(parseModelConfigText('{not json')).toEqual({ ok: false, message: 'config.json is not valid JSON' });
    expect(parseModelConfig([])).toMatchObject({ ok: false });
    expect(JSON.stringify(parseModelConfig({ hidden_size: 1 }))).toContain('no \\"architectures\\" list');
    expect(parseModelConfig({ architectures: ['X'], hidden_size: 8, num_attention_heads: 2, vocab_size: 10 })).toEqual({
      ok: false,
      message: 'config.json lacks num_hidden_layers',
    });
    expect(parseModelConfig({ architectures: ['X'], text_config: { model_type: 'x' } })).toEqual({
      ok: false,
      message: 'config.json lacks hidden_size, num_hidden_layers, num_attention_heads, vocab_size (in text_config)',
    });
    expect(
      parseModelConfig({
        architectures: ['X'],
        hidden_size: -1,
        num_hidden_layers: 1.5,
        num_attention_heads: '2',
        vocab_size: 1e300,
      }),
    ).toMatchObject({ ok: false });
  });
});
