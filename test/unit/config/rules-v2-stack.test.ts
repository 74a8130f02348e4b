// v2Rules: the build allow-list (V2-2) and patch_kwargs / gated_features (V2-3), exact findings.
import { describe, it } from 'vitest';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const B = 'trt_llm.build';
const R = 'trt_llm.runtime';
const build = (b: Json): Json => ({ trt_llm: { build: b } });
const runtime = (r: Json): Json => ({ trt_llm: { runtime: r } });
const v2 = (name: string, doc: Json, expected: Row['expect']): Row => ({ name, base: BASE_V2, doc, expect: expected });
const notAllowed = (key: string): Row['expect'][number] => [
  'V2_BUILD_FIELD_NOT_ALLOWED',
  'error',
  `${B}.${key}`,
  `build.${key} cannot be set on inference_stack v2 (allowed: checkpoint_repository, quantization_type, quantization_config, skip_build_result, num_builder_gpus); sizes and parallelism go under trt_llm.runtime`,
];

const ROWS: Row[] = [
  // the allow-list
  v2('a v1 size field', build({ max_seq_len: 4096 }), [notAllowed('max_seq_len')]),
  v2('a v1 size field written at its default (null)', build({ max_seq_len: null }), []),
  v2('max_batch_size written at its default', build({ max_batch_size: 256 }), []),
  v2('max_batch_size off its default', build({ max_batch_size: 255 }), [notAllowed('max_batch_size')]),
  v2('tensor_parallel_count off its default', build({ tensor_parallel_count: 2 }), [
    notAllowed('tensor_parallel_count'),
  ]),
  v2('base_model decoder (the default)', build({ base_model: 'decoder' }), []),
  v2('base_model encoder', build({ base_model: 'encoder' }), [notAllowed('base_model')]),
  v2('a partial nested mapping differs from the default', build({ plugin_configuration: { paged_kv_cache: true } }), [
    notAllowed('plugin_configuration'),
  ]),
  v2(
    'a complete nested mapping at the defaults',
    build({
      plugin_configuration: { paged_kv_cache: true, use_paged_context_fmha: true, use_fp8_context_fmha: false },
    }),
    [],
  ),
  v2(
    'a complete nested mapping off the defaults',
    build({
      plugin_configuration: { paged_kv_cache: false, use_paged_context_fmha: true, use_fp8_context_fmha: false },
    }),
    [notAllowed('plugin_configuration')],
  ),
  v2('a nullable nested mapping written as null', build({ speculator: null }), []),
  v2('two fields: two findings', build({ max_seq_len: 4096, max_batch_size: 8 }), [
    notAllowed('max_seq_len'),
    notAllowed('max_batch_size'),
  ]),
  v2(
    'every allowed field set off its default',
    build({
      quantization_type: 'fp8',
      num_builder_gpus: 2,
      quantization_config: { calib_size: 2048 },
      skip_build_result: true,
      checkpoint_repository: { source: 'HF', repo: 'Qwen/Qwen2.5-7B' },
    }),
    [],
  ),
  // patch_kwargs and its alias
  v2('empty patch_kwargs', runtime({ patch_kwargs: {} }), []),
  v2('empty gated_features', runtime({ gated_features: {} }), []),
  v2('patch_kwargs is a preview', runtime({ patch_kwargs: { enable_iter_perf_stats: true } }), [
    [
      'PATCH_KWARGS_PREVIEW',
      'warning',
      `${R}.patch_kwargs`,
      'runtime.patch_kwargs is a preview feature; its fields may change',
    ],
  ]),
  v2('gated_features is a preview, named as written', runtime({ gated_features: { enable_iter_perf_stats: true } }), [
    ['PATCH_KWARGS_PREVIEW', 'warning', `${R}.gated_features`, 'runtime.gated_features is a preview feature'],
  ]),
  v2('both the alias and the name', runtime({ gated_features: { a: 1 }, patch_kwargs: { a: 1 } }), [
    [
      'PATCH_KWARGS_ALIAS_CONFLICT',
      'error',
      `${R}.gated_features`,
      'gated_features is an alias of patch_kwargs; set only one of them',
    ],
    ['PATCH_KWARGS_PREVIEW', 'warning', `${R}.gated_features`],
  ]),
  v2('both, empty: still a conflict', runtime({ gated_features: {}, patch_kwargs: {} }), [
    ['PATCH_KWARGS_ALIAS_CONFLICT', 'error', `${R}.gated_features`],
  ]),
  v2('a runtime field passed through patch_kwargs', runtime({ patch_kwargs: { max_batch_size: 8 } }), [
    ['PATCH_KWARGS_PREVIEW', 'warning', `${R}.patch_kwargs`],
    [
      'PATCH_KWARGS_SHADOWS_FIELD',
      'warning',
      `${R}.patch_kwargs.max_batch_size`,
      'max_batch_size is already a runtime field; set trt_llm.runtime.max_batch_size instead of passing it in patch_kwargs',
    ],
  ]),
  v2(
    'a runtime field passed through gated_features',
    runtime({ gated_features: { tensor_parallel_size: 1, served_model_name: 'x' } }),
    [
      ['PATCH_KWARGS_PREVIEW', 'warning', `${R}.gated_features`],
      [
        'PATCH_KWARGS_SHADOWS_FIELD',
        'warning',
        `${R}.gated_features.tensor_parallel_size`,
        'passing it in gated_features',
      ],
      ['PATCH_KWARGS_SHADOWS_FIELD', 'warning', `${R}.gated_features.served_model_name`],
    ],
  ),
  v2(
    'build_config is generated from the runtime sizes',
    runtime({ patch_kwargs: { build_config: { max_seq_len: 9 } } }),
    [
      ['PATCH_KWARGS_PREVIEW', 'warning', `${R}.patch_kwargs`],
      [
        'PATCH_KWARGS_SHADOWS_FIELD',
        'warning',
        `${R}.patch_kwargs.build_config`,
        'build_config is generated from trt_llm.runtime (max_seq_len, max_batch_size, max_num_tokens); set those instead of passing it in patch_kwargs',
      ],
    ],
  ),
  v2(
    'the alias names themselves are not runtime fields',
    runtime({ patch_kwargs: { patch_kwargs: {}, gated_features: {} } }),
    [['PATCH_KWARGS_PREVIEW', 'warning', `${R}.patch_kwargs`]],
  ),
  // v1 configs are not checked by these rules
  { name: 'v1: build sizes are fine', doc: build({ max_seq_len: 4096 }), expect: [] },
];

describe('v2 rules: exact findings', () => {
  it.each(ROWS)('$name', (row) => {
    expectExactly(row);
  });
});
