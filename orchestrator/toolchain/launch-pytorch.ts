/**
 * Launch config of the v2 stack: `trtllm-serve <checkpoint> --backend pytorch` and its LLM API
 * YAML, with `patch_kwargs` merged in. Only keys the pinned version's PyTorch backend accepts
 * (fixture `llm_api_yaml`) are written — the LLM API rejects unknown keys — and every key left
 * out is reported, so nothing is dropped silently.
 */
import { stringify } from 'yaml';
import type { LaunchConfig } from './types.js';
import { RUNTIME } from './layout.js';
import { llmApiNestedKeys, llmApiTopLevelKeys } from './surface.js';

export const PYTORCH_OPTIONS_FILE = 'extra_llm_api_options.yaml';

/** v2 serving settings (from `trt_llm.runtime` and the quantization type). */
export interface PytorchServeSettings {
  readonly tp: number;
  readonly maxBatchSize: number;
  readonly maxNumTokens: number;
  readonly maxSeqLen: number | null;
  readonly enableChunkedPrefill: boolean;
  readonly kvCacheDtype: 'fp8' | null;
  readonly patchKwargs: Readonly<Record<string, unknown>>;
}

/** Options from the v2 runtime fields; patch_kwargs may not override these. */
const RUNTIME_OWNED = new Set([
  'max_batch_size',
  'max_num_tokens',
  'max_seq_len',
  'tensor_parallel_size',
  'enable_chunked_prefill',
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value with object keys sorted at every depth, so the YAML (and the plan hash) ignore key order. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedDeep(value[key]);
  return out;
}

/** Merges patch_kwargs into the generated options; returns the options and one note per key left out. */
export function pytorchLlmApiOptions(p: PytorchServeSettings): { options: Record<string, unknown>; notes: string[] } {
  const options: Record<string, unknown> = {
    max_batch_size: p.maxBatchSize,
    max_num_tokens: p.maxNumTokens,
    ...(p.maxSeqLen !== null ? { max_seq_len: p.maxSeqLen } : {}),
    tensor_parallel_size: p.tp,
    enable_chunked_prefill: p.enableChunkedPrefill,
  };
  if (p.kvCacheDtype) options['kv_cache_config'] = { dtype: p.kvCacheDtype };
  const allowed = llmApiTopLevelKeys('pytorch');
  const notes: string[] = [];
  for (const key of Object.keys(p.patchKwargs).sort()) {
    const value = p.patchKwargs[key];
    const where = `trt_llm.runtime.patch_kwargs.${key}`;
    if (RUNTIME_OWNED.has(key)) {
      notes.push(`${where} not written: the trt_llm.runtime field of the same name sets it`);
      continue;
    }
    if (!allowed.has(key)) {
      notes.push(`${where} not written: not an LLM API option of the pinned TensorRT-LLM 1.2 PyTorch backend`);
      continue;
    }
    const nestedKeys = llmApiNestedKeys(key);
    if (nestedKeys && isPlainObject(value)) {
      const merged: Record<string, unknown> = isPlainObject(options[key]) ? { ...options[key] } : {};
      for (const sub of Object.keys(value).sort()) {
        if (nestedKeys.has(sub)) merged[sub] = sortedDeep(value[sub]);
        else notes.push(`${where}.${sub} not written: not a ${key} field in TensorRT-LLM 1.2`);
      }
      options[key] = merged;
    } else {
      options[key] = sortedDeep(value);
    }
  }
  return { options, notes };
}

/** `trtllm-serve <model dir> --backend pytorch …` plus its YAML; notes list what was left out. */
export function pytorchServeLaunch(
  image: string,
  p: PytorchServeSettings,
  modelDir: string = RUNTIME.checkpointDir,
): { launch: LaunchConfig; notes: string[] } {
  const { options, notes } = pytorchLlmApiOptions(p);
  const argv = [
    'trtllm-serve',
    modelDir,
    '--backend',
    'pytorch',
    '--host',
    '0.0.0.0',
    '--port',
    '8000',
    '--tp_size',
    String(p.tp),
    '--max_batch_size',
    String(p.maxBatchSize),
    '--max_num_tokens',
    String(p.maxNumTokens),
    ...(p.maxSeqLen !== null ? ['--max_seq_len', String(p.maxSeqLen)] : []),
    ...(p.enableChunkedPrefill ? ['--enable_chunked_prefill'] : []),
    '--extra_llm_api_options',
    `${RUNTIME.launchDir}/${PYTORCH_OPTIONS_FILE}`,
  ];
  return {
    launch: {
      server: 'trtllm-serve',
      image,
      argv,
      files: [{ path: PYTORCH_OPTIONS_FILE, content: stringify(options) }],
    },
    notes,
  };
}
