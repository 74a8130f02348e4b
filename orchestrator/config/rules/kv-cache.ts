/** Paged KV cache and chunked context (Truss B3, V1-2). */
import { error } from './types.js';
import type { Finding, RuleContext } from './types.js';

const PLUGINS = ['trt_llm', 'build', 'plugin_configuration'] as const;

/** Paged context FMHA needs the paged KV cache; v1 chunked context needs both. */
export function kvCacheRules(ctx: RuleContext): Finding[] {
  const cfg = ctx.trtLlm;
  if (cfg.inference_stack !== 'v1') return [];
  const b = cfg.build;
  const { paged_kv_cache, use_paged_context_fmha } = b.plugin_configuration;
  const out: Finding[] = [];
  // Encoders have both flags forced off by Truss, so neither rule applies to them.
  if (b.base_model === 'encoder') return out;
  if (!paged_kv_cache && use_paged_context_fmha) {
    out.push(
      error(
        'PAGED_CONTEXT_FMHA_REQUIRES_PAGED_KV_CACHE',
        [...PLUGINS, 'use_paged_context_fmha'],
        'use_paged_context_fmha requires paged_kv_cache; set paged_kv_cache: true or use_paged_context_fmha: false',
      ),
    );
  }
  const chunkedWritten = ctx.userSet.has('trt_llm.runtime.enable_chunked_context');
  if (
    b.base_model === 'decoder' &&
    cfg.runtime.enable_chunked_context &&
    (!paged_kv_cache || !use_paged_context_fmha)
  ) {
    out.push(
      error(
        'CHUNKED_CONTEXT_REQUIRES_PAGED_FMHA',
        ['trt_llm', 'runtime', 'enable_chunked_context'],
        'enable_chunked_context (default true) needs plugin_configuration.paged_kv_cache and use_paged_context_fmha set to true; turn them on or set runtime.enable_chunked_context: false',
        // Stryker disable next-line StringLiteral: an unwritten key is an absent path, which points at its parent's key whatever `at` says
        chunkedWritten ? undefined : 'key',
      ),
    );
  }
  return out;
}
