/** Speculator rules (Truss S1–S9, B4–B5) and the lookahead draft-token derivation (S4). */
import type { TrtLlmConfig } from '../schema/trt-llm.js';
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

const SPEC = ['trt_llm', 'build', 'speculator'] as const;
/** Largest `num_draft_tokens` Truss accepts. */
export const MAX_DRAFT_TOKENS = 2048;

/** Baseten's lookahead bound: `(N==1 ? 0 : N-2) + (W-1+V)(N-1)`. */
export function lookaheadDraftTokens(w: number, n: number, v: number): number {
  return (n === 1 ? 0 : n - 2) + (w - 1 + v) * (n - 1);
}

/** The config with lookahead `num_draft_tokens` filled in when unset and computable (>= 1). */
export function withDerivedValues(cfg: TrtLlmConfig): TrtLlmConfig {
  const s = cfg.build.speculator;
  if (!s || s.num_draft_tokens !== null) return cfg;
  const { lookahead_windows_size: w, lookahead_ngram_size: n, lookahead_verification_set_size: v } = s;
  if (w === null || v === null) return cfg;
  // Stryker disable next-line ConditionalExpression: with N null the formula gives -1-W-V (W, V >= 1), so `computed < 1` returns cfg too
  if (n === null) return cfg;
  const computed = lookaheadDraftTokens(w, n, v);
  if (computed < 1) return cfg;
  return { ...cfg, build: { ...cfg.build, speculator: { ...s, num_draft_tokens: computed } } };
}

/** Lookahead sizes, draft-token bounds, paged-KV requirements and the batch-size advice. */
export function speculatorRules(ctx: RuleContext): Finding[] {
  const { build } = ctx.trtLlm;
  const s = build.speculator;
  if (!s || ctx.trtLlm.inference_stack !== 'v1') return [];
  const out: Finding[] = [];
  if (build.base_model !== 'decoder') {
    out.push(
      error(
        'SPECULATOR_REQUIRES_DECODER',
        [...SPEC],
        `speculative decoding is only for base_model decoder (got ${build.base_model}); remove the speculator`,
        'key',
      ),
    );
  }
  const { paged_kv_cache, use_paged_context_fmha } = build.plugin_configuration;
  if (build.base_model === 'decoder' && (!paged_kv_cache || !use_paged_context_fmha)) {
    out.push(
      error(
        'SPECULATOR_REQUIRES_PAGED_KV_CACHE',
        [...SPEC],
        'speculative decoding needs KV cache block reuse: set plugin_configuration.paged_kv_cache and use_paged_context_fmha to true',
        'key',
      ),
    );
  }
  if (build.max_batch_size > 64) {
    out.push(
      warning(
        'SPECULATOR_LARGE_BATCH',
        ['trt_llm', 'build', 'max_batch_size'],
        `speculative decoding pays off at low load; max_batch_size ${build.max_batch_size} is high: consider max_batch_size 64 or 32`,
      ),
    );
  }
  const w = s.lookahead_windows_size;
  const n = s.lookahead_ngram_size;
  const v = s.lookahead_verification_set_size;
  if (w === null || n === null || v === null) {
    const missing = (
      [
        ['lookahead_windows_size', w],
        ['lookahead_ngram_size', n],
        ['lookahead_verification_set_size', v],
      ] as const
    )
      .filter(([, x]) => x === null)
      .map(([k]) => k);
    out.push(
      error(
        'LOOKAHEAD_SIZES_REQUIRED',
        [...SPEC],
        `LOOKAHEAD_DECODING needs lookahead_windows_size, lookahead_ngram_size and lookahead_verification_set_size; missing: ${missing.join(', ')} (e.g. 8, 3, 3)`,
        'key',
      ),
    );
    return out;
  }
  const computed = lookaheadDraftTokens(w, n, v);
  const explicit = s.num_draft_tokens;
  const tokensPath = [...SPEC, 'num_draft_tokens'];
  if (explicit === null && computed < 1) {
    out.push(
      error(
        'NUM_DRAFT_TOKENS_REQUIRED',
        [...SPEC],
        `with lookahead_ngram_size 1 the computed draft length is 0, which is invalid; set speculator.num_draft_tokens explicitly (e.g. ${Math.max(1, w)})`,
        'key',
      ),
    );
    return out;
  }
  if (explicit !== null && explicit < computed) {
    out.push(
      error(
        'NUM_DRAFT_TOKENS_BELOW_COMPUTED',
        tokensPath,
        `num_draft_tokens ${explicit} is less than ${computed}, the value required by (W=${w}, N=${n}, V=${v}); set at least ${computed} or remove it`,
      ),
    );
  }
  const tokens = explicit ?? computed;
  if (tokens > MAX_DRAFT_TOKENS) {
    const reason =
      explicit === null
        ? `computed from lookahead sizes (W=${w}, N=${n}, V=${v}); lower any of them`
        : 'set under speculator.num_draft_tokens';
    out.push(
      error(
        'NUM_DRAFT_TOKENS_TOO_LARGE',
        explicit === null ? [...SPEC] : tokensPath,
        `num_draft_tokens must be <= ${MAX_DRAFT_TOKENS} (got ${tokens}, ${reason})`,
        explicit === null ? 'key' : undefined,
      ),
    );
  } else if (tokens > 512) {
    out.push(
      warning(
        'NUM_DRAFT_TOKENS_HIGH',
        explicit === null ? [...SPEC] : tokensPath,
        `lookahead generates up to ${tokens} speculative tokens per step, which may hurt performance; try (W, N, V) = (7, 5, 3)`,
        explicit === null ? 'key' : undefined,
      ),
    );
  }
  const needed = build.max_batch_size * (tokens + 1);
  if (build.max_num_tokens < needed) {
    out.push(
      warning(
        'LOOKAHEAD_MAX_NUM_TOKENS_LOW',
        ['trt_llm', 'build', 'max_num_tokens'],
        `max_num_tokens ${build.max_num_tokens} is below max_batch_size × (num_draft_tokens + 1) = ${build.max_batch_size} × ${tokens + 1} = ${needed}; trtllm-build will raise it`,
      ),
    );
  }
  return out;
}
