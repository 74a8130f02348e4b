/** Size and budget rules: token limits, KV cache fraction, calibration (B1), encoder sizing (B8). */
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

const BUILD = ['trt_llm', 'build'] as const;
/** BEI serves embeddings with at least this many batch tokens. */
export const ENCODER_MIN_MAX_NUM_TOKENS = 16384;

function nearestMultipleOf64(v: number): number {
  return Math.min(16384, Math.max(64, Math.round(v / 64) * 64));
}

function calibFindings(key: 'calib_size' | 'calib_max_seq_length', v: number): Finding[] {
  const path = [...BUILD, 'quantization_config', key];
  const upper = key.toUpperCase();
  if (v < 64 || v > 16384)
    return [
      error(`${upper}_OUT_OF_RANGE`, path, `must be between 64 and 16384 (got ${v}); try ${nearestMultipleOf64(v)}`),
    ];
  if (v % 64 !== 0)
    return [
      error(`${upper}_NOT_MULTIPLE_OF_64`, path, `must be a multiple of 64 (got ${v}); try ${nearestMultipleOf64(v)}`),
    ];
  return [];
}

/** Sequence/batch/token consistency, KV cache budget and calibration bounds. */
export function sizeRules(ctx: RuleContext): Finding[] {
  const cfg = ctx.trtLlm;
  const out: Finding[] = [];
  const b = cfg.build;
  const qc = b.quantization_config;
  out.push(
    ...calibFindings('calib_size', qc.calib_size),
    ...calibFindings('calib_max_seq_length', qc.calib_max_seq_length),
  );

  const seq = cfg.inference_stack === 'v2' ? cfg.runtime.max_seq_len : b.max_seq_len;
  const batch = cfg.inference_stack === 'v2' ? cfg.runtime.max_batch_size : b.max_batch_size;
  const tokens = cfg.inference_stack === 'v2' ? cfg.runtime.max_num_tokens : b.max_num_tokens;
  const sizes = cfg.inference_stack === 'v2' ? ['trt_llm', 'runtime'] : [...BUILD];
  const quantized = b.quantization_type !== 'no_quant';
  if (quantized && seq !== null && qc.calib_max_seq_length > seq) {
    out.push(
      warning(
        'CALIB_MAX_SEQ_LENGTH_ABOVE_MAX_SEQ_LEN',
        [...BUILD, 'quantization_config', 'calib_max_seq_length'],
        `calib_max_seq_length ${qc.calib_max_seq_length}${ctx.userSet.has('trt_llm.build.quantization_config.calib_max_seq_length') ? '' : ' (the default)'} is above max_seq_len ${seq}; calibrating on sequences the engine never serves wastes time: set quantization_config.calib_max_seq_length to ${Math.max(64, Math.floor(seq / 64) * 64)}`,
      ),
    );
  }
  const isEncoder = cfg.inference_stack === 'v1' && b.base_model !== 'decoder';
  if (seq !== null && !isEncoder && tokens > seq * batch) {
    out.push(
      warning(
        'MAX_NUM_TOKENS_ABOVE_SEQ_TIMES_BATCH',
        [...sizes, 'max_num_tokens'],
        `max_num_tokens ${tokens} is above max_seq_len × max_batch_size = ${seq} × ${batch} = ${seq * batch}; it will be clipped to ${seq * batch}`,
      ),
    );
  }
  if (cfg.inference_stack === 'v1') {
    const rt = cfg.runtime;
    if (!(rt.kv_cache_free_gpu_mem_fraction > 0 && rt.kv_cache_free_gpu_mem_fraction <= 1)) {
      out.push(
        error(
          'KV_CACHE_FRACTION_OUT_OF_RANGE',
          ['trt_llm', 'runtime', 'kv_cache_free_gpu_mem_fraction'],
          `kv_cache_free_gpu_mem_fraction is a fraction of free GPU memory and must be in (0, 1] (got ${rt.kv_cache_free_gpu_mem_fraction}); the default is 0.9`,
        ),
      );
    }
    if (rt.total_token_limit < 1) {
      out.push(
        error(
          'TOTAL_TOKEN_LIMIT_TOO_SMALL',
          ['trt_llm', 'runtime', 'total_token_limit'],
          `total_token_limit must be >= 1 (got ${rt.total_token_limit}); the default is 500000`,
        ),
      );
    }
    if (
      b.base_model === 'decoder' &&
      !rt.enable_chunked_context &&
      // Stryker disable next-line ConditionalExpression: null > n is false, so dropping the null check changes nothing; it is there for the type checker
      b.max_seq_len !== null &&
      b.max_seq_len > b.max_num_tokens
    ) {
      out.push(
        error(
          'PROMPT_LONGER_THAN_MAX_NUM_TOKENS',
          [...BUILD, 'max_num_tokens'],
          `with enable_chunked_context false a prompt must fit in one step, but max_seq_len ${b.max_seq_len} > max_num_tokens ${b.max_num_tokens}: raise max_num_tokens to ${b.max_seq_len} or enable chunked context`,
        ),
      );
    }
    if (b.base_model === 'encoder') out.push(...encoderFindings(ctx));
  }
  return out;
}

// Truss B8: encoders ignore max_seq_len, get max_num_tokens >= 16384, and KV quantization is alpha.
function encoderFindings(ctx: RuleContext): Finding[] {
  const b = ctx.trtLlm.build;
  const out: Finding[] = [];
  if (b.max_seq_len !== null) {
    out.push(
      warning(
        'ENCODER_MAX_SEQ_LEN_IGNORED',
        [...BUILD, 'max_seq_len'],
        'max_seq_len is not used for embedding models (only for SequenceClassification); it is taken from config.json max_position_embeddings',
      ),
    );
  }
  if (ctx.userSet.has('trt_llm.build.max_num_tokens') && b.max_num_tokens < ENCODER_MIN_MAX_NUM_TOKENS) {
    out.push(
      warning(
        'ENCODER_MAX_NUM_TOKENS_RAISED',
        [...BUILD, 'max_num_tokens'],
        `max_num_tokens ${b.max_num_tokens} is raised to ${ENCODER_MIN_MAX_NUM_TOKENS} for encoder models`,
      ),
    );
  }
  if (b.quantization_type.includes('_kv')) {
    out.push(
      warning(
        'ENCODER_KV_QUANTIZATION_ALPHA',
        [...BUILD, 'quantization_type'],
        `compiling an encoder with a quantized KV cache (${b.quantization_type}) is an alpha feature and may fail; prefer ${b.quantization_type.replace('_kv', '')}`,
      ),
    );
  }
  return out;
}
