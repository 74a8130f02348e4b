import { describe, expect, it } from 'vitest';
import { checkLora, parseAdapterConfig, type AdapterFacts } from '../../../orchestrator/preflight/check-lora.js';
import { settingsFor } from './helpers.js';

const adapter = (o: Partial<AdapterFacts> = {}): AdapterFacts => ({
  name: 'sql',
  rank: 16,
  targetModules: ['q_proj', 'v_proj'],
  baseModel: 'meta-llama/Llama-3.1-8B-Instruct',
  modulesToSave: [],
  ...o,
});
const s = settingsFor({ accelerator: 'A100', lora: { rank: 16, modules: ['attn_q', 'attn_v'] } });

describe('checkLora', () => {
  it('accepts an adapter within the engine settings', () => {
    expect(checkLora([adapter()], s)).toEqual([]);
  });
  it('rejects rank 64 on an engine built for 16, with the fix', () => {
    const [e] = checkLora([adapter({ rank: 64 })], s);
    expect(e).toMatchObject({
      code: 'PREFLIGHT_LORA_RANK_TOO_LARGE',
      path: 'trt_llm.build.lora_configuration.max_lora_rank',
    });
    expect(e?.message).toContain('set max_lora_rank to 64 or more');
  });
  it('rejects target modules the engine is not built for', () => {
    const [e] = checkLora([adapter({ targetModules: ['q_proj', 'v_proj', 'o_proj'] })], s);
    expect(e).toMatchObject({
      code: 'PREFLIGHT_LORA_MODULES_NOT_IN_ENGINE',
      path: 'trt_llm.build.lora_configuration.lora_target_modules',
    });
    expect(e?.message).toContain('set lora_target_modules to attn_q, attn_v, attn_dense');
  });
  it('accepts any modules when the engine infers them from the adapters (no lora_target_modules)', () => {
    expect(
      checkLora([adapter({ targetModules: ['o_proj'] })], { ...s, lora: { maxRank: 16, targetModules: [] } }),
    ).toEqual([]);
  });
  it('rejects modules_to_save and a different base model; an -Instruct sibling matches', () => {
    expect(checkLora([adapter({ modulesToSave: ['lm_head'] })], s).map((x) => x.code)).toEqual([
      'PREFLIGHT_LORA_MODULES_TO_SAVE',
    ]);
    const [e] = checkLora([adapter({ baseModel: 'mistralai/Mistral-7B-v0.3' })], s);
    expect(e).toMatchObject({ code: 'PREFLIGHT_LORA_BASE_MISMATCH', path: 'trt_llm.build.lora_adapters.sql' });
    expect(checkLora([adapter({ baseModel: 'meta-llama/Llama-3.1-8B' })], s)).toEqual([]);
    expect(checkLora([adapter({ baseModel: '/data/models/llama-3.1-8b-instruct' })], s)).toEqual([]);
  });
  it('does nothing without LoRA', () => {
    expect(checkLora([adapter({ rank: 999 })], settingsFor({}))).toEqual([]);
  });
});

describe('parseAdapterConfig', () => {
  it('reads PEFT adapter_config.json', () => {
    expect(
      parseAdapterConfig('a', {
        r: 8,
        target_modules: ['q_proj'],
        base_model_name_or_path: 'x/y',
        modules_to_save: null,
      }),
    ).toEqual({
      ok: true,
      adapter: { name: 'a', rank: 8, targetModules: ['q_proj'], baseModel: 'x/y', modulesToSave: [] },
    });
    expect(parseAdapterConfig('a', { r: 8, target_modules: 'all-linear' })).toMatchObject({
      ok: true,
      adapter: { targetModules: ['all-linear'], baseModel: null },
    });
  });
  it('answers bad files with a message', () => {
    expect(parseAdapterConfig('a', null)).toEqual({
      ok: false,
      message: 'adapter a: adapter_config.json is not a JSON object',
    });
    expect(parseAdapterConfig('a', { r: 0 })).toMatchObject({ ok: false });
    expect(parseAdapterConfig('a', { r: '16' })).toMatchObject({ ok: false });
  });
});
