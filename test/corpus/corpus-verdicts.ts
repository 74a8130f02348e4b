// Shared by the corpus test and the expectation updater: run the validator over the corpus.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfigText } from '../../orchestrator/config/index.js';

import { CORPUS_DIR } from '../support/shared-paths.js';
export { CORPUS_DIR };
export const EXPECTATIONS_FILE = join(import.meta.dirname, 'expectations.json');

/** Codes of rules Truss itself enforces (client-side, at push, or in its backend per truss-trt-llm.md). */
export const TRUSS_ENFORCED = new Set([
  'BASE_MODEL_RENAMED',
  'BASE_MODEL_REMOVED',
  'LEGACY_KEY',
  'MISPLACED_KEY',
  'UNKNOWN_KEY',
  'CHECKPOINT_REPOSITORY_REQUIRED',
  'REQUIRED_KEY_MISSING',
  'QUANTIZATION_TYPE_REMOVED',
  'SPECULATIVE_DECODING_MODE_DISCONTINUED',
  'WORLD_SIZE_MISMATCH',
  'FP8_REQUIRES_SM89',
  'FP4_REQUIRES_SM100',
  'GPU_NOT_SUPPORTED',
  'INVALID_ENUM_VALUE',
  'VALUE_EMPTY',
  'VALUE_TOO_SMALL',
  'VALUE_TOO_LARGE',
  'MAX_BEAM_WIDTH_UNSUPPORTED',
  'HF_REPO_ID_INVALID',
  'CHECKPOINT_SOURCE_UNSUPPORTED',
  'INFERENCE_STACK_INVALID',
  'V2_BUILD_FIELD_NOT_ALLOWED',
  'CALIB_SIZE_OUT_OF_RANGE',
  'CALIB_SIZE_NOT_MULTIPLE_OF_64',
  'CALIB_MAX_SEQ_LENGTH_OUT_OF_RANGE',
  'CALIB_MAX_SEQ_LENGTH_NOT_MULTIPLE_OF_64',
  'PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE',
  'CHUNKED_CONTEXT_REQUIRES_PAGED_FMHA',
  'SPECULATOR_REQUIRES_PAGED_KV_CACHE',
  'LOOKAHEAD_SIZES_REQUIRED',
  'NUM_DRAFT_TOKENS_REQUIRED',
  'NUM_DRAFT_TOKENS_BELOW_COMPUTED',
  'NUM_DRAFT_TOKENS_TOO_LARGE',
  'MOE_EXPERT_PARALLEL_TOO_LARGE',
  'MOE_EXPERT_PARALLEL_INVALID',
  'VERSION_OVERRIDE_INVALID',
  'LORA_ADAPTER_NAME_INVALID',
  'ACCELERATOR_TYPE_UNKNOWN',
  'ACCELERATOR_COUNT_INVALID',
]);

/** One entry of expectations.json. `reason` is hand-checked for every invalid file. */
export interface Expectation {
  readonly verdict: 'valid' | 'invalid';
  readonly errors: string[];
  /** True when at least one error is a rule Truss itself enforces (so `truss push` fails too). */
  readonly trussRejects: boolean;
  readonly reason?: string;
  /** Set by update-expectations.ts when the codes changed and `reason` must be rechecked. */
  readonly needsReview?: boolean;
  readonly previousReason?: string;
}

export interface Verdict {
  readonly verdict: 'valid' | 'invalid';
  readonly errors: string[];
}

/** The corpus file names, sorted. */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

/** Validates one corpus file; error codes are de-duplicated and sorted. */
export function verdictOf(file: string): Verdict & { readonly messages: string[] } {
  const r = validateConfigText(readFileSync(join(CORPUS_DIR, file), 'utf8'));
  return {
    verdict: r.valid ? 'valid' : 'invalid',
    errors: [...new Set(r.errors.map((e) => e.code))].sort(),
    messages: r.errors.map((e) => `${e.path}: ${e.message}`),
  };
}
