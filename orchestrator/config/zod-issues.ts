/**
 * zod issues → findings with stable codes and messages that say what was expected and what arrived,
 * including migration messages for legacy enum values. Pure.
 */
import type * as z from 'zod';
import { didYouMean } from './did-you-mean.js';
import { LEGACY_BASE_MODELS, LEGACY_QUANTIZATION_TYPES } from './schema/enums.js';
import type { Finding } from './rules/types.js';
import type { PathSegment } from './yaml-source.js';

/** Human description of a (non-secret) value: `"2"` (string), `2.5`, `true`, `null`, a list, a mapping. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const s = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return `string ${s}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  'trt_llm.build': 'trt_llm.build is required (at least a checkpoint_repository)',
  'trt_llm.runtime': 'inference_stack v2 requires trt_llm.runtime (an empty mapping {} is enough)',
  'trt_llm.build.speculator.speculative_decoding_mode':
    'speculative_decoding_mode is required: set LOOKAHEAD_DECODING (Truss defaults to the discontinued DRAFT_TOKENS_EXTERNAL)',
};

function legacyValue(key: string, value: unknown): Omit<Finding, 'path' | 'severity'> | undefined {
  if (typeof value !== 'string') return undefined;
  if (key === 'base_model' && LEGACY_BASE_MODELS.includes(value)) {
    if (value === 'whisper') {
      return {
        code: 'BASE_MODEL_REMOVED',
        message: 'base_model whisper was removed: Whisper models are deployed as a Truss Chain, not a trt_llm build',
      };
    }
    return {
      code: 'BASE_MODEL_RENAMED',
      message: `base_model ${value} has been renamed to decoder; the decoder detects the architecture (Llama, Qwen, Mistral, …) from the checkpoint: write base_model: decoder`,
    };
  }
  if (key === 'quantization_type' && LEGACY_QUANTIZATION_TYPES.includes(value)) {
    return {
      code: 'QUANTIZATION_TYPE_REMOVED',
      message: `quantization_type ${value} (weight-only int8/int4, SmoothQuant) is no longer supported; use fp8 or fp8_kv (SM >= 89), fp4* (Blackwell) or no_quant`,
    };
  }
  if (key === 'source' && value === 'LOCAL') {
    return {
      code: 'CHECKPOINT_SOURCE_UNSUPPORTED',
      message: 'source LOCAL is not supported; upload the checkpoint and use HF, S3, GCS, AZURE or REMOTE_URL',
    };
  }
  if (key === 'speculative_decoding_mode' && value === 'DRAFT_TOKENS_EXTERNAL') {
    return {
      code: 'SPECULATIVE_DECODING_MODE_DISCONTINUED',
      message:
        'DRAFT_TOKENS_EXTERNAL (external draft model) is discontinued in favour of LOOKAHEAD_DECODING, which is faster; set speculative_decoding_mode: LOOKAHEAD_DECODING with lookahead_windows_size, lookahead_ngram_size and lookahead_verification_set_size, or use inference_stack v2',
    };
  }
  return undefined;
}

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, small: boolean): string {
  const n = String(small ? issue.minimum : issue.maximum);
  if (small) return issue.inclusive === false ? `> ${n}` : `>= ${n}`;
  return issue.inclusive === false ? `< ${n}` : `<= ${n}`;
}

/** Maps one zod issue (path relative to `base`) to a finding; `root` is the raw document value. */
export function findingFromIssue(
  issue: z.core.$ZodIssue,
  base: readonly PathSegment[],
  root: unknown,
  intAt: (path: readonly PathSegment[]) => boolean = () => false,
): Finding {
  const path: PathSegment[] = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const dotted = path.join('.');
  const key = String(path[path.length - 1] ?? '');
  const value = valueAt(root, path);
  const err = (code: string, message: string, at?: 'key' | 'value'): Finding =>
    at ? { code, severity: 'error', path, message, at } : { code, severity: 'error', path, message };
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return err('REQUIRED_KEY_MISSING', REQUIRED_HINTS[dotted] ?? `${key} is required`, 'key');
  }
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.expected === 'int' || (issue.expected === 'number' && typeof value !== 'number')) {
        const quoted =
          typeof value === 'string' && /^[-+]?[0-9]+(\.0*)?$/.test(value.trim())
            ? `; write ${value.trim()} without quotes`
            : '';
        const kind = issue.expected === 'int' || intAt(path.slice(base.length)) ? 'an integer' : 'a number';
        return err(
          kind === 'an integer' ? 'INTEGER_EXPECTED' : 'NUMBER_EXPECTED',
          `${key} must be ${kind} (got ${describe(value)})${quoted}`,
        );
      }
      const expected =
        issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`;
      return err('INVALID_TYPE', `${key} must be ${expected} (got ${describe(value)})`);
    }
    case 'too_small':
      if (issue.origin === 'string') return err('VALUE_EMPTY', `${key} must not be empty`);
      return err('VALUE_TOO_SMALL', `${key} must be ${bound(issue, true)} (got ${describe(value)})`);
    case 'too_big':
      if (key === 'max_beam_width')
        return err(
          'MAX_BEAM_WIDTH_UNSUPPORTED',
          `max_beam_width greater than 1 is not supported (got ${describe(value)}); remove it or set 1`,
        );
      return err('VALUE_TOO_LARGE', `${key} must be ${bound(issue, false)} (got ${describe(value)})`);
    case 'invalid_value': {
      const legacy = legacyValue(key, value);
      if (legacy) return { ...legacy, path, severity: 'error' };
      const options = issue.values.map((v) => String(v));
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      const hint = guess ? `; did you mean ${guess}?` : '';
      return err('INVALID_ENUM_VALUE', `${key} must be one of ${options.join(', ')} (got ${describe(value)})${hint}`);
    }
    case 'custom':
    case 'invalid_element':
    case 'invalid_format':
    case 'invalid_key':
    case 'invalid_union':
    case 'not_multiple_of':
    case 'unrecognized_keys':
      return err('INVALID_VALUE', `${key}: ${issue.message}`);
  }
}
