/** Runtime values the pinned lane refuses (reasoning_parser) and calibration datasets quantize.py cannot read. */
import { describe, expect, it } from 'vitest';
import { REASONING_PARSERS_1_2 } from '../../../orchestrator/config/rules/runtime-values.js';
import { toolSurface } from '../../../orchestrator/toolchain/surface.js';
import { BASE_V1, BASE_V2, check, codes } from './helpers.js';

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
