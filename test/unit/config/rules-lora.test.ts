// loraRules (and the adapter repositories checked by checkpointRules): exact findings, every known
// module name accepted, each alternative of the adapter-name pattern.
import { describe, expect, it } from 'vitest';
import { HF_LORA_MODULES, TRTLLM_LORA_MODULES } from '../../../orchestrator/config/rules/lora.js';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const ADAPTERS = 'trt_llm.build.lora_adapters';
const MODULES = 'trt_llm.build.lora_configuration.lora_target_modules';
const A = { source: 'HF', repo: 'org/adapter' };
const lora = (adapters: Json, extra: Json = {}): Json => ({
  trt_llm: { build: { lora_adapters: adapters, ...(extra as Record<string, Json>) } },
});
const modules = (list: string[]): Json => lora({ a: A }, { lora_configuration: { lora_target_modules: list } });

/** The 28 module names TensorRT-LLM 1.2 accepts (LoraManager.LORA_MODULE_IDS plus the HF aliases). */
const ALL_MODULES = [
  'attn_qkv',
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_dense',
  'mlp_h_to_4h',
  'mlp_4h_to_h',
  'mlp_gate',
  'cross_attn_qkv',
  'cross_attn_q',
  'cross_attn_k',
  'cross_attn_v',
  'cross_attn_dense',
  'moe_h_to_4h',
  'moe_4h_to_h',
  'moe_gate',
  'moe_router',
  'mlp_router',
  'mlp_gate_up',
  'q_proj',
  'k_proj',
  'v_proj',
  'qkv_proj',
  'o_proj',
  'gate_proj',
  'down_proj',
  'up_proj',
  'gate_up_proj',
  'w1',
  'w2',
  'w3',
  'gate',
];

const ROWS: Row[] = [
  { name: 'adapters on the v1 decoder', doc: lora({ a: A, b: A }), expect: [] },
  {
    name: 'adapters on an encoder',
    doc: lora({ a: A }, { base_model: 'encoder' }),
    expect: [
      [
        'LORA_REQUIRES_V1_DECODER',
        'error',
        ADAPTERS,
        'LoRA adapters are only supported for the v1 decoder (got base_model encoder)',
      ],
    ],
  },
  {
    name: 'adapters on encoder_bert',
    doc: lora({ a: A }, { base_model: 'encoder_bert' }),
    expect: [['LORA_REQUIRES_V1_DECODER', 'error', ADAPTERS, '(got base_model encoder_bert)']],
  },
  {
    name: 'adapters on v2',
    base: BASE_V2,
    doc: lora({ a: A }),
    expect: [
      ['LORA_REQUIRES_V1_DECODER', 'error', ADAPTERS, '(got inference_stack v2)'],
      ['V2_BUILD_FIELD_NOT_ALLOWED', 'error', ADAPTERS],
    ],
  },
  { name: 'an empty adapter map is no adapter', doc: lora({}, { base_model: 'encoder' }), expect: [] },
  // adapter names: letters, digits, _ - . : and nothing else
  { name: 'adapter name with every allowed character class', doc: lora({ 'aZ09_-.:x': A }), expect: [] },
  {
    name: 'adapter name with a space',
    doc: lora({ 'a b': A }),
    expect: [
      [
        'LORA_ADAPTER_NAME_INVALID',
        'error',
        `${ADAPTERS}.a b`,
        'adapter name "a b" may only contain letters, digits, "_", "-", "." and ":" (it becomes the OpenAI model name)',
      ],
    ],
  },
  {
    name: 'adapter name with a slash',
    doc: lora({ 'a/b': A }),
    expect: [['LORA_ADAPTER_NAME_INVALID', 'error', `${ADAPTERS}.a/b`, '"a/b"']],
  },
  {
    name: 'adapter name with a trailing $',
    doc: lora({ ab$: A }),
    expect: [['LORA_ADAPTER_NAME_INVALID', 'error', `${ADAPTERS}.ab$`]],
  },
  {
    name: 'adapter name with a leading $',
    doc: lora({ $ab: A }),
    expect: [['LORA_ADAPTER_NAME_INVALID', 'error', `${ADAPTERS}.$ab`]],
  },
  {
    name: 'two bad names, one good',
    doc: lora({ 'x y': A, good: A, 'p!': A }),
    expect: [
      ['LORA_ADAPTER_NAME_INVALID', 'error', `${ADAPTERS}.x y`],
      ['LORA_ADAPTER_NAME_INVALID', 'error', `${ADAPTERS}.p!`],
    ],
  },
  {
    name: 'a long bad name is cut to 60 characters',
    doc: lora({ [`${'n'.repeat(70)} `]: A }),
    expect: [
      ['LORA_ADAPTER_NAME_INVALID', 'error', `${ADAPTERS}.${'n'.repeat(70)} `, `adapter name "${'n'.repeat(60)}" may`],
    ],
  },
  // adapter repositories are checked like the base checkpoint
  {
    name: 'adapter with a bad HF repo id',
    doc: lora({ a: { source: 'HF', repo: '../x' } }),
    expect: [['HF_REPO_ID_INVALID', 'error', `${ADAPTERS}.a.repo`, 'invalid Hugging Face repo id "../x"']],
  },
  {
    name: 'adapter with a bad S3 URI',
    doc: lora({ a: { source: 'S3', repo: 'bucket/x' } }),
    expect: [['S3_URI_INVALID', 'error', `${ADAPTERS}.a.repo`]],
  },
  {
    name: 'adapter with an undeclared runtime secret',
    doc: lora({ a: { ...A, runtime_secret_name: 'other' } }),
    expect: [
      [
        'RUNTIME_SECRET_NOT_DECLARED',
        'warning',
        `${ADAPTERS}.a.runtime_secret_name`,
        '"other" is not declared under secrets',
      ],
    ],
  },
  // lora_configuration
  {
    name: 'configuration without adapters',
    doc: { trt_llm: { build: { lora_configuration: { max_lora_rank: 16 } } } },
    expect: [
      [
        'LORA_CONFIGURATION_WITHOUT_ADAPTERS',
        'warning',
        'trt_llm.build.lora_configuration',
        'lora_configuration has no effect without build.lora_adapters',
      ],
    ],
  },
  {
    name: 'configuration with adapters',
    doc: lora({ a: A }, { lora_configuration: { max_lora_rank: 16 } }),
    expect: [],
  },
  {
    name: 'unknown module with a guess',
    doc: modules(['q_proj', 'atn_q']),
    expect: [
      [
        'LORA_TARGET_MODULE_UNKNOWN',
        'error',
        `${MODULES}.1`,
        'unknown LoRA target module "atn_q"; did you mean attn_q? (TensorRT-LLM names: attn_qkv, attn_q,',
      ],
    ],
  },
  {
    name: 'unknown module without a guess',
    doc: modules(['zzzzzzzz']),
    expect: [
      [
        'LORA_TARGET_MODULE_UNKNOWN',
        'error',
        `${MODULES}.0`,
        'unknown LoRA target module "zzzzzzzz" (TensorRT-LLM names: ',
      ],
    ],
  },
  {
    name: 'a long unknown module is cut to 60 characters',
    doc: modules([`${'m'.repeat(70)}`]),
    expect: [
      ['LORA_TARGET_MODULE_UNKNOWN', 'error', `${MODULES}.0`, `unknown LoRA target module "${'m'.repeat(60)}" (`],
    ],
  },
  {
    name: 'two unknown modules',
    doc: modules(['x1', 'attn_q', 'x2']),
    expect: [
      ['LORA_TARGET_MODULE_UNKNOWN', 'error', `${MODULES}.0`],
      ['LORA_TARGET_MODULE_UNKNOWN', 'error', `${MODULES}.2`, '"x2"'],
    ],
  },
  { name: 'every known module at once', doc: modules(ALL_MODULES), expect: [] },
];

describe('LoRA rules: exact findings', () => {
  it.each(ROWS)('$name', (row) => {
    expectExactly(row);
  });

  it.each(ALL_MODULES)('module %s is accepted on its own', (m) => {
    expectExactly({ name: m, doc: modules([m]), expect: [] });
  });

  it('the unknown-module message lists both name families in full', () => {
    const r = expectExactly({
      name: 'list',
      doc: modules(['nope']),
      expect: [['LORA_TARGET_MODULE_UNKNOWN', 'error', `${MODULES}.0`]],
    });
    expect(r.errors[0]?.message).toContain(
      `(TensorRT-LLM names: ${TRTLLM_LORA_MODULES.join(', ')}; or HF names ${Object.keys(HF_LORA_MODULES).join(', ')})`,
    );
  });

  it('HF names map to their TensorRT-LLM modules', () => {
    expect(HF_LORA_MODULES).toEqual({
      q_proj: 'attn_q',
      k_proj: 'attn_k',
      v_proj: 'attn_v',
      qkv_proj: 'attn_qkv',
      o_proj: 'attn_dense',
      gate_proj: 'mlp_h_to_4h',
      down_proj: 'mlp_4h_to_h',
      up_proj: 'mlp_gate',
      gate_up_proj: 'mlp_gate_up',
      w1: 'moe_h_to_4h',
      w2: 'moe_4h_to_h',
      w3: 'moe_gate',
      gate: 'moe_router',
    });
    expect([...TRTLLM_LORA_MODULES, ...Object.keys(HF_LORA_MODULES)].sort()).toEqual([...ALL_MODULES].sort());
  });
});
