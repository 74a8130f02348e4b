/** Runtime values the pinned lane refuses (reasoning_parser) and calibration datasets quantize.py cannot read. */
import { describe, expect, it } from 'vitest';
import { REASONING_PARSERS_1_2 } from '../../../orchestrator/config/rules/runtime-values.js';
import { toolSurface } from '../../../orchestrator/toolchain/surface.js';
import { BASE_V1, BASE_V2, check, codes } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const PK = 'trt_llm.runtime.patch_kwargs';
const PREVIEW: Row['expect'][number] = ['PATCH_KWARGS_PREVIEW', 'warning', PK];
const parser = (value: Json): Json => ({ trt_llm: { runtime: { patch_kwargs: { reasoning_parser: value } } } });
const CALIB = 'trt_llm.build.quantization_config.calib_dataset';
const calib = (calib_dataset: string, quantization_type = 'fp8'): Json => ({
  trt_llm: { build: { quantization_type, num_builder_gpus: 1, quantization_config: { calib_dataset } } },
});
/** A dataset id with three parts (never loadable) of exactly `n` characters. */
const threeParts = (n: number): string => `a/b/${'c'.repeat(n - 4)}`;

const ROWS: Row[] = [
  { name: 'v2 without a reasoning_parser', base: BASE_V2, doc: {}, expect: [] },
  { name: 'v2 reasoning_parser: null is no parser', base: BASE_V2, doc: parser(null), expect: [PREVIEW] },
  {
    name: 'v2 reasoning_parser unknown string: quoted, allowed values listed',
    base: BASE_V2,
    doc: parser('glm47'),
    expect: [
      [
        'REASONING_PARSER_NOT_IN_LANE',
        'error',
        `${PK}.reasoning_parser`,
        'reasoning_parser "glm47" is not known to the pinned TensorRT-LLM 1.2 server, which raises at start-up; allowed: deepseek-r1, qwen3 (or remove it)',
      ],
      PREVIEW,
    ],
  },
  {
    name: 'v2 reasoning_parser a number: named by its type',
    base: BASE_V2,
    doc: parser(3),
    expect: [
      ['REASONING_PARSER_NOT_IN_LANE', 'error', `${PK}.reasoning_parser`, 'reasoning_parser a number is'],
      PREVIEW,
    ],
  },
  {
    name: 'v2 reasoning_parser a long string: shown cut to 60 characters',
    base: BASE_V2,
    doc: parser(`p${'x'.repeat(80)}`),
    expect: [
      ['REASONING_PARSER_NOT_IN_LANE', 'error', `${PK}.reasoning_parser`, `reasoning_parser "p${'x'.repeat(59)}" is`],
      PREVIEW,
    ],
  },
  { name: 'v2 reasoning_parser qwen3', base: BASE_V2, doc: parser('qwen3'), expect: [PREVIEW] },
  { name: 'fp8 with the default dataset', doc: calib('abisee/cnn_dailymail'), expect: [] },
  ...['cnn_dailymail', 'abisee/cnn_dailymail', 'ccdv/cnn_dailymail'].map(
    (ds): Row => ({ name: `fp8 with ${ds}: a real cnn_dailymail repo`, doc: calib(ds), expect: [] }),
  ),
  {
    name: 'fp8 with a three-part dataset id: not loadable, with the reason',
    doc: calib('a/b/c'),
    expect: [
      [
        'CALIB_DATASET_NOT_LOADABLE',
        'error',
        CALIB,
        'calib_dataset "a/b/c" is not a Hugging Face dataset repo id (a Hugging Face repo id is <org>/<name> with at most one "/"): calibration data is mirrored from the Hub and read with datasets.load_dataset; use e.g. abisee/cnn_dailymail',
      ],
    ],
  },
  {
    name: 'fp4 on B200 with an s3 URL: not loadable',
    doc: { ...(calib('s3://bucket/calib', 'fp4') as Record<string, Json>), resources: { accelerator: 'B200' } },
    expect: [['CALIB_DATASET_NOT_LOADABLE', 'error', CALIB, 'calib_dataset "s3://bucket/calib" is not']],
  },
  {
    name: 'a bad dataset of 80 characters is shown whole',
    doc: calib(threeParts(80)),
    expect: [['CALIB_DATASET_NOT_LOADABLE', 'error', CALIB, `calib_dataset "${threeParts(80)}" is not`]],
  },
  {
    name: 'a bad dataset of 81 characters is cut to 77 and "..."',
    doc: calib(threeParts(81)),
    expect: [
      ['CALIB_DATASET_NOT_LOADABLE', 'error', CALIB, `calib_dataset "${threeParts(81).slice(0, 77)}..." is not`],
    ],
  },
  {
    name: 'a dataset named like cnn_dailymail: warned it is read as cnn_dailymail',
    doc: calib('me/my_cnn_dailymail_subset'),
    expect: [
      [
        'CALIB_DATASET_READ_AS_CNN_DAILYMAIL',
        'warning',
        CALIB,
        'calib_dataset "me/my_cnn_dailymail_subset" contains "cnn_dailymail", so it is read as the cnn_dailymail dataset (config 3.0.0, split train, column article); it fails to load unless it has that config; rename it or use abisee/cnn_dailymail',
      ],
    ],
  },
  { name: 'no_quant: the dataset is never read', doc: calib('a/b/c', 'no_quant'), expect: [] },
];

describe('runtime value rules: exact findings', () => {
  it.each(ROWS)('$name', (row) => {
    expectExactly(row);
  });
});

describe('reasoning_parser', () => {
  it('lists exactly the parsers of the pinned trtllm-serve (fixture choices)', () => {
    expect(REASONING_PARSERS_1_2).toEqual(toolSurface('trtllm-serve').flags['--reasoning_parser']?.choices);
  });

  it('refuses a parser the 1.2 server does not know, listing the allowed values, at the value', () => {
    const r = check({ trt_llm: { runtime: { patch_kwargs: { reasoning_parser: 'glm47' } } } }, BASE_V2);
    expect(codes(r)).toEqual(['REASONING_PARSER_NOT_IN_LANE']);
    expect(r.errors[0]).toMatchObject({ path: 'trt_llm.runtime.patch_kwargs.reasoning_parser' });
    expect(r.errors[0]?.message).toContain('"glm47"');
    expect(r.errors[0]?.message).toContain('allowed: deepseek-r1, qwen3');
  });

  it('points at gated_features when that alias is used, and refuses non-strings', () => {
    const r = check({ trt_llm: { runtime: { gated_features: { reasoning_parser: 3 } } } }, BASE_V2);
    expect(codes(r)).toEqual(['REASONING_PARSER_NOT_IN_LANE']);
    expect(r.errors[0]?.path).toBe('trt_llm.runtime.gated_features.reasoning_parser');
  });

  it.each(['deepseek-r1', 'qwen3'])('accepts %s', (parser) => {
    expect(codes(check({ trt_llm: { runtime: { patch_kwargs: { reasoning_parser: parser } } } }, BASE_V2))).toEqual([]);
  });
});

describe('calibration dataset', () => {
  const fp8 = (calib_dataset: string) => ({
    trt_llm: { build: { quantization_type: 'fp8', quantization_config: { calib_dataset } } },
  });

  it.each(['abisee/cnn_dailymail', 'cnn_dailymail', 'baseten/quant_calibration_dataset_v1'])(
    'accepts the Hub dataset %s',
    (ds) => {
      const r = check(fp8(ds));
      expect(codes(r).filter((c) => c.startsWith('CALIB_DATASET'))).toEqual([]);
      expect(codes(r, 'warning').filter((c) => c.startsWith('CALIB_DATASET'))).toEqual([]);
    },
  );

  it.each(['s3://bucket/calib', '/data/calib.jsonl', 'https://example.com/c.json'])(
    'refuses %s: not a Hub dataset that load_dataset can read',
    (ds) => {
      const r = check(fp8(ds));
      expect(codes(r)).toContain('CALIB_DATASET_NOT_LOADABLE');
      expect(r.errors.find((e) => e.code === 'CALIB_DATASET_NOT_LOADABLE')?.path).toBe(
        'trt_llm.build.quantization_config.calib_dataset',
      );
    },
  );

  it('warns when a dataset would be read as cnn_dailymail (config 3.0.0, column article) without being it', () => {
    const r = check(fp8('me/my_cnn_dailymail_subset'));
    expect(codes(r, 'warning')).toContain('CALIB_DATASET_READ_AS_CNN_DAILYMAIL');
  });

  it('ignores the dataset when nothing is calibrated', () => {
    const r = check(
      { trt_llm: { build: { quantization_type: 'no_quant', quantization_config: { calib_dataset: 's3://x/y' } } } },
      BASE_V1,
    );
    expect(codes(r).filter((c) => c.startsWith('CALIB_DATASET'))).toEqual([]);
  });
});
