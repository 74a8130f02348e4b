// Test helpers: build configs from a valid base plus a deep patch (undefined deletes a key).
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { ValidationResult } from '../../../orchestrator/config/index.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

const HF = { source: 'HF', repo: 'meta-llama/Llama-3.1-8B-Instruct' };

export const BASE_V1: Json = {
  model_name: 'test',
  resources: { accelerator: 'H100', use_gpu: true },
  secrets: { hf_access_token: null },
  trt_llm: { build: { checkpoint_repository: HF } },
};

export const BASE_V2: Json = {
  model_name: 'test',
  resources: { accelerator: 'H100', use_gpu: true },
  trt_llm: { inference_stack: 'v2', build: { checkpoint_repository: HF }, runtime: {} },
};

function isObj(v: unknown): v is Record<string, Json | undefined> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `patch` into `base`; a key patched to undefined is removed. */
export function merge(base: Json, patch: Json | undefined): Json {
  if (!isObj(base) || !isObj(patch)) return patch === undefined ? base : patch;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = k in out ? merge(out[k] as Json, v) : v;
  }
  return out;
}

/** Validates base+patch (JSON is valid YAML). */
export function check(patch: Json, base: Json = BASE_V1): ValidationResult {
  return validateConfigText(JSON.stringify(merge(base, patch), null, 2));
}

/** Codes of all diagnostics with the given severity. */
export function codes(r: ValidationResult, severity: 'error' | 'warning' = 'error'): string[] {
  return (severity === 'error' ? r.errors : r.warnings).map((d) => d.code);
}
