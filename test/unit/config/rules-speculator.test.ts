// speculatorRules and the lookahead derivation: exact findings at every threshold (draft tokens
// 512/2048, batch 64, max_num_tokens budget, below-computed), each missing size, each plugin.
import { describe, expect, it } from 'vitest';
import { lookaheadDraftTokens, withDerivedValues } from '../../../orchestrator/config/rules/speculator.js';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly, run } from './findings.js';
import type { Row } from './findings.js';

const SPEC = 'trt_llm.build.speculator';
const TOKENS = `${SPEC}.num_draft_tokens`;
const LA = {
  speculative_decoding_mode: 'LOOKAHEAD_DECODING',
  lookahead_windows_size: 8,
  lookahead_ngram_size: 3,
  lookahead_verification_set_size: 3,
};
const spec = (s: Json, build: Json = {}): Json => ({
  trt_llm: {
    build: {
      max_batch_size: 32,
      ...(build as Record<string, Json>),
      speculator: { ...LA, ...(s as Record<string, Json>) },
    },
  },
});
/** N = 2 makes the computed draft length W + V - 1. */
const wv = (w: number, v: number, build: Json = { max_batch_size: 1 }): Json =>
  spec({ lookahead_windows_size: w, lookahead_ngram_size: 2, lookahead_verification_set_size: v }, build);

const ROWS: Row[] = [
  { name: 'the usual (8, 3, 3) at batch 32', doc: spec({}), expect: [] },
  // decoder only, and KV cache block reuse
  {
    name: 'encoder_bert',
    doc: spec({}, { base_model: 'encoder_bert' }),
    expect: [
      [
        'SPECULATOR_REQUIRES_DECODER',
        'error',
        SPEC,
        'speculative decoding is only for base_model decoder (got encoder_bert); remove the speculator',
      ],
    ],
  },
  {
    name: 'encoder_bert with paged KV cache off: only the decoder error',
    doc: {
      trt_llm: {
        build: {
          base_model: 'encoder_bert',
          max_batch_size: 32,
          plugin_configuration: { paged_kv_cache: false, use_paged_context_fmha: false },
          speculator: LA,
        },
        runtime: { enable_chunked_context: false },
      },
    },
    expect: [['SPECULATOR_REQUIRES_DECODER', 'error', SPEC]],
  },
  {
    name: 'paged_kv_cache off',
    doc: {
      trt_llm: {
        build: {
          max_batch_size: 32,
          plugin_configuration: { paged_kv_cache: false, use_paged_context_fmha: false },
          speculator: LA,
        },
        runtime: { enable_chunked_context: false },
      },
    },
    expect: [
      [
        'SPECULATOR_REQUIRES_PAGED_KV_CACHE',
        'error',
        SPEC,
        'speculative decoding needs KV cache block reuse: set plugin_configuration.paged_kv_cache and use_paged_context_fmha to true',
      ],
    ],
  },
  {
    name: 'paged_kv_cache off alone (FMHA on)',
    doc: {
      trt_llm: {
        build: { max_batch_size: 32, plugin_configuration: { paged_kv_cache: false }, speculator: LA },
        runtime: { enable_chunked_context: false },
      },
    },
    expect: [
      ['SPECULATOR_REQUIRES_PAGED_KV_CACHE', 'error', SPEC],
      [
        'PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE',
        'error',
        'trt_llm.build.plugin_configuration.use_paged_context_fmha',
      ],
    ],
  },
  {
    name: 'use_paged_context_fmha off alone',
    doc: {
      trt_llm: {
        build: { max_batch_size: 32, plugin_configuration: { use_paged_context_fmha: false }, speculator: LA },
        runtime: { enable_chunked_context: false },
      },
    },
    expect: [['SPECULATOR_REQUIRES_PAGED_KV_CACHE', 'error', SPEC]],
  },
  // batch size advice
  { name: 'batch 64', doc: spec({}, { max_batch_size: 64 }), expect: [] },
  {
    name: 'batch 65',
    doc: spec({}, { max_batch_size: 65 }),
    expect: [
      [
        'SPECULATOR_LARGE_BATCH',
        'warning',
        'trt_llm.build.max_batch_size',
        'speculative decoding pays off at low load; max_batch_size 65 is high: consider max_batch_size 64 or 32',
      ],
    ],
  },
  // each missing lookahead size
  {
    name: 'no sizes at all',
    doc: {
      trt_llm: { build: { max_batch_size: 32, speculator: { speculative_decoding_mode: 'LOOKAHEAD_DECODING' } } },
    },
    expect: [
      [
        'LOOKAHEAD_SIZES_REQUIRED',
        'error',
        SPEC,
        'LOOKAHEAD_DECODING needs lookahead_windows_size, lookahead_ngram_size and lookahead_verification_set_size; missing: lookahead_windows_size, lookahead_ngram_size, lookahead_verification_set_size (e.g. 8, 3, 3)',
      ],
    ],
  },
  {
    name: 'window size missing',
    doc: spec({ lookahead_windows_size: null }),
    expect: [['LOOKAHEAD_SIZES_REQUIRED', 'error', SPEC, 'missing: lookahead_windows_size (e.g.']],
  },
  {
    name: 'ngram size missing',
    doc: spec({ lookahead_ngram_size: null }),
    expect: [['LOOKAHEAD_SIZES_REQUIRED', 'error', SPEC, 'missing: lookahead_ngram_size (e.g.']],
  },
  {
    name: 'verification set size missing',
    doc: spec({ lookahead_verification_set_size: null }),
    expect: [['LOOKAHEAD_SIZES_REQUIRED', 'error', SPEC, 'missing: lookahead_verification_set_size (e.g.']],
  },
  {
    name: 'missing sizes with a large batch: both',
    doc: spec({ lookahead_windows_size: null }, { max_batch_size: 65 }),
    expect: [
      ['SPECULATOR_LARGE_BATCH', 'warning', 'trt_llm.build.max_batch_size'],
      ['LOOKAHEAD_SIZES_REQUIRED', 'error', SPEC],
    ],
  },
  // N = 1: computed length 0
  {
    name: 'ngram 1 without num_draft_tokens',
    doc: spec({ lookahead_ngram_size: 1 }),
    expect: [
      [
        'NUM_DRAFT_TOKENS_REQUIRED',
        'error',
        SPEC,
        'with lookahead_ngram_size 1 the computed draft length is 0, which is invalid; set speculator.num_draft_tokens explicitly (e.g. 8)',
      ],
    ],
  },
  { name: 'ngram 1 with num_draft_tokens', doc: spec({ lookahead_ngram_size: 1, num_draft_tokens: 8 }), expect: [] },
  { name: 'computed length exactly 1 (1, 2, 1) needs no explicit value', doc: wv(1, 1), expect: [] },
  // explicit below computed (21 for (8, 3, 3))
  {
    name: 'explicit 20 < computed 21',
    doc: spec({ num_draft_tokens: 20 }),
    expect: [
      [
        'NUM_DRAFT_TOKENS_BELOW_COMPUTED',
        'error',
        TOKENS,
        'num_draft_tokens 20 is less than 21, the value required by (W=8, N=3, V=3); set at least 21 or remove it',
      ],
    ],
  },
  { name: 'explicit 21 = computed', doc: spec({ num_draft_tokens: 21 }), expect: [] },
  // explicit: 512 quiet, 513 high, 2048 high, 2049 too large
  { name: 'explicit 512', doc: spec({ num_draft_tokens: 512 }, { max_batch_size: 1 }), expect: [] },
  {
    name: 'explicit 513',
    doc: spec({ num_draft_tokens: 513 }, { max_batch_size: 1 }),
    expect: [
      [
        'NUM_DRAFT_TOKENS_HIGH',
        'warning',
        TOKENS,
        'lookahead generates up to 513 speculative tokens per step, which may hurt performance; try (W, N, V) = (7, 5, 3)',
      ],
    ],
  },
  {
    name: 'explicit 2048',
    doc: spec({ num_draft_tokens: 2048 }, { max_batch_size: 1 }),
    expect: [['NUM_DRAFT_TOKENS_HIGH', 'warning', TOKENS, 'up to 2048 speculative tokens']],
  },
  {
    name: 'explicit 2049',
    doc: spec({ num_draft_tokens: 2049 }, { max_batch_size: 1 }),
    expect: [
      [
        'NUM_DRAFT_TOKENS_TOO_LARGE',
        'error',
        TOKENS,
        'num_draft_tokens must be <= 2048 (got 2049, set under speculator.num_draft_tokens)',
      ],
    ],
  },
  // computed: the same thresholds, pointing at the speculator
  { name: 'computed 512', doc: wv(500, 13), expect: [] },
  {
    name: 'computed 513',
    doc: wv(501, 13),
    expect: [['NUM_DRAFT_TOKENS_HIGH', 'warning', SPEC, 'up to 513 speculative tokens', 'key']],
  },
  {
    name: 'computed 2048',
    doc: wv(1999, 50),
    expect: [['NUM_DRAFT_TOKENS_HIGH', 'warning', SPEC, 'up to 2048 speculative tokens', 'key']],
  },
  {
    name: 'computed 2049',
    doc: wv(2000, 50),
    expect: [
      [
        'NUM_DRAFT_TOKENS_TOO_LARGE',
        'error',
        SPEC,
        'num_draft_tokens must be <= 2048 (got 2049, computed from lookahead sizes (W=2000, N=2, V=50); lower any of them)',
        'key',
      ],
    ],
  },
  // max_num_tokens budget: batch × (tokens + 1) = 64 × 22 = 1408
  {
    name: 'max_num_tokens 1407 < 1408',
    doc: spec({}, { max_batch_size: 64, max_num_tokens: 1407 }),
    expect: [
      [
        'LOOKAHEAD_MAX_NUM_TOKENS_LOW',
        'warning',
        'trt_llm.build.max_num_tokens',
        'max_num_tokens 1407 is below max_batch_size × (num_draft_tokens + 1) = 64 × 22 = 1408; trtllm-build will raise it',
      ],
    ],
  },
  { name: 'max_num_tokens 1408', doc: spec({}, { max_batch_size: 64, max_num_tokens: 1408 }), expect: [] },
  {
    name: 'budget uses the explicit num_draft_tokens',
    doc: spec({ num_draft_tokens: 30 }, { max_batch_size: 32, max_num_tokens: 991 }),
    expect: [['LOOKAHEAD_MAX_NUM_TOKENS_LOW', 'warning', 'trt_llm.build.max_num_tokens', '= 32 × 31 = 992']],
  },
  // v2: the speculator is not a v2 build field, and these rules do not run
  {
    name: 'v2 speculator',
    base: BASE_V2,
    doc: spec({ num_draft_tokens: 1 }),
    expect: [
      ['V2_BUILD_FIELD_NOT_ALLOWED', 'error', 'trt_llm.build.max_batch_size'],
      ['V2_BUILD_FIELD_NOT_ALLOWED', 'error', SPEC],
    ],
  },
];

describe('speculator rules: exact findings', () => {
  it.each(ROWS)('$name', (row) => {
    expectExactly(row);
  });
});

describe('lookahead draft tokens', () => {
  it('follows (N==1 ? 0 : N-2) + (W-1+V)(N-1)', () => {
    expect(lookaheadDraftTokens(8, 3, 3)).toBe(21);
    expect(lookaheadDraftTokens(8, 1, 3)).toBe(0);
    expect(lookaheadDraftTokens(7, 5, 3)).toBe(39);
    expect(lookaheadDraftTokens(1, 2, 1)).toBe(1);
  });

  it('the validated config carries the computed num_draft_tokens, or the explicit one', () => {
    const computed = run({ doc: spec({}) }).result.config?.trtLlm.build.speculator;
    expect(computed?.num_draft_tokens).toBe(21);
    const explicit = run({ doc: spec({ num_draft_tokens: 30 }) }).result.config?.trtLlm.build.speculator;
    expect(explicit?.num_draft_tokens).toBe(30);
    const none = run({ doc: {} }).result.config?.trtLlm.build.speculator;
    expect(none).toBeNull();
  });

  it('withDerivedValues leaves a config alone when a size is missing or the length is 0', () => {
    // From (8, 3, 3), where the derivation gives 21: each case differs in one thing only.
    const base = run({ doc: spec({}) }).result.config?.trtLlm;
    expect(base?.build.speculator?.num_draft_tokens).toBe(21);
    if (!base || !base.build.speculator) throw new Error('the (8, 3, 3) config must validate');
    const n1 = {
      ...base,
      build: {
        ...base.build,
        speculator: { ...base.build.speculator, num_draft_tokens: null, lookahead_ngram_size: 1 },
      },
    };
    expect(withDerivedValues(n1)).toBe(n1);
    const noW = {
      ...base,
      build: {
        ...base.build,
        speculator: { ...base.build.speculator, num_draft_tokens: null, lookahead_windows_size: null },
      },
    };
    expect(withDerivedValues(noW)).toBe(noW);
    const noN = {
      ...base,
      build: {
        ...base.build,
        speculator: { ...base.build.speculator, num_draft_tokens: null, lookahead_ngram_size: null },
      },
    };
    expect(withDerivedValues(noN)).toBe(noN);
    const noV = {
      ...base,
      build: {
        ...base.build,
        speculator: { ...base.build.speculator, num_draft_tokens: null, lookahead_verification_set_size: null },
      },
    };
    expect(withDerivedValues(noV)).toBe(noV);
    const n3 = {
      ...base,
      build: {
        ...base.build,
        speculator: { ...base.build.speculator, num_draft_tokens: null, lookahead_ngram_size: 3 },
      },
    };
    expect(withDerivedValues(n3).build.speculator?.num_draft_tokens).toBe(21);
    expect(n3.build.speculator.num_draft_tokens).toBeNull();
  });

  it('withDerivedValues fills in a computed length of exactly 1, and leaves an explicit one alone', () => {
    const one = run({ doc: wv(1, 1) }).result.config?.trtLlm;
    expect(one?.build.speculator?.num_draft_tokens).toBe(1);
    if (!one || !one.build.speculator) throw new Error('the (1, 2, 1) config must validate');
    const unset = { ...one, build: { ...one.build, speculator: { ...one.build.speculator, num_draft_tokens: null } } };
    expect(withDerivedValues(unset).build.speculator?.num_draft_tokens).toBe(1);
    const explicit = { ...one, build: { ...one.build, speculator: { ...one.build.speculator, num_draft_tokens: 5 } } };
    expect(withDerivedValues(explicit)).toBe(explicit);
    const none = { ...one, build: { ...one.build, speculator: null } };
    expect(withDerivedValues(none)).toBe(none);
  });
});
