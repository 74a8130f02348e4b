/**
 * Runtime values the pinned TensorRT-LLM 1.2 lane refuses, and calibration datasets in forms
 * quantize.py / the v2 export cannot read (reference/runtime-facts.md §5). Both would pass the
 * schema and fail hours later: the server raises at start-up, the calibration step at load.
 */
import { hfRepoIdProblem } from './checkpoint.js';
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

/**
 * `ReasoningParserFactory.parsers` of TensorRT-LLM 1.2 (the fixture's trtllm-serve
 * `--reasoning_parser` choices; a test keeps them equal). The YAML path skips the CLI's check.
 */
export const REASONING_PARSERS_1_2: readonly string[] = ['deepseek-r1', 'qwen3'];

/** Dataset repos whose `3.0.0` config has the `article` column quantize.py reads for `cnn_dailymail` paths. */
export const CNN_DAILYMAIL_REPOS: readonly string[] = ['cnn_dailymail', 'abisee/cnn_dailymail', 'ccdv/cnn_dailymail'];

function reasoningParser(ctx: RuleContext): Finding[] {
  const cfg = ctx.trtLlm;
  if (cfg.inference_stack !== 'v2') return [];
  const pkKey = ctx.userSet.has('trt_llm.runtime.gated_features') ? 'gated_features' : 'patch_kwargs';
  const value = cfg.runtime.patch_kwargs['reasoning_parser'];
  if (value === undefined || value === null) return [];
  // includes() compares with ===, so only a string can match; no typeof check is needed.
  if ((REASONING_PARSERS_1_2 as readonly unknown[]).includes(value)) return [];
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : `a ${typeof value}`;
  return [
    error(
      'REASONING_PARSER_NOT_IN_LANE',
      ['trt_llm', 'runtime', pkKey, 'reasoning_parser'],
      `reasoning_parser ${shown} is not known to the pinned TensorRT-LLM 1.2 server, which raises at start-up; allowed: ${REASONING_PARSERS_1_2.join(', ')} (or remove it)`,
    ),
  ];
}

function calibrationDataset(ctx: RuleContext): Finding[] {
  const build = ctx.trtLlm.build;
  if (build.quantization_type === 'no_quant') return [];
  const dataset = build.quantization_config.calib_dataset;
  const path = ['trt_llm', 'build', 'quantization_config', 'calib_dataset'];
  const shown = JSON.stringify(dataset.length > 80 ? `${dataset.slice(0, 77)}...` : dataset);
  const problem = hfRepoIdProblem(dataset);
  if (problem !== undefined) {
    return [
      error(
        'CALIB_DATASET_NOT_LOADABLE',
        path,
        `calib_dataset ${shown} is not a Hugging Face dataset repo id (${problem}): calibration data is mirrored from the Hub and read with datasets.load_dataset; use e.g. abisee/cnn_dailymail`,
      ),
    ];
  }
  if (dataset.includes('cnn_dailymail') && !CNN_DAILYMAIL_REPOS.includes(dataset)) {
    return [
      warning(
        'CALIB_DATASET_READ_AS_CNN_DAILYMAIL',
        path,
        `calib_dataset ${shown} contains "cnn_dailymail", so it is read as the cnn_dailymail dataset (config 3.0.0, split train, column article); it fails to load unless it has that config; rename it or use abisee/cnn_dailymail`,
      ),
    ];
  }
  return [];
}

/** Runtime values and calibration datasets the pinned lane cannot use. */
export function runtimeValueRules(ctx: RuleContext): Finding[] {
  return [...reasoningParser(ctx), ...calibrationDataset(ctx)];
}
