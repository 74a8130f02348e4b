/**
 * Triton `tensorrt_llm` model config (config.pbtxt) for a v1 decoder engine, filled the way
 * `tools/fill_template.py` would fill the 1.2 template: every parameter key exists in the
 * fixture's `triton_config_pbtxt.parameters`, every parameter the backend reads without a
 * fallback is present, and the inputs are the template's (ragged `input_ids`, scalar `reshape`
 * inputs, sampling inputs, `lora_*` for LoRA engines). See reference/runtime-facts.md §2.
 */
import { RUNTIME } from './layout.js';
import type { DecoderRuntimeSettings, EngineSettings } from './engine-settings.js';

/** The `parameters` of the config, in output order (values as strings, as Triton reads them). */
export function tritonParameters(e: EngineSettings, r: DecoderRuntimeSettings): Array<[string, string]> {
  const reuse = e.pagedKvCache && e.pagedContextFmha;
  const params: Array<[string, string]> = [
    ['gpt_model_type', 'inflight_fused_batching'],
    ['gpt_model_path', RUNTIME.engineDir],
    ['tokenizer_dir', RUNTIME.tokenizerDir],
    // Read with GetParameter<std::string> and no fallback on every load: must exist (empty = off).
    ['xgrammar_tokenizer_info_path', ''],
    ['guided_decoding_backend', ''],
    ['max_beam_width', '1'],
    ['FORCE_CPU_ONLY_INPUT_TENSORS', 'no'],
    ['batch_scheduler_policy', r.batchSchedulerPolicy],
    ['kv_cache_free_gpu_mem_fraction', String(r.kvCacheFreeGpuMemFraction)],
    ['enable_kv_cache_reuse', String(reuse)],
    ['enable_chunked_context', String(r.enableChunkedContext)],
    ['exclude_input_in_output', 'true'],
    ['executor_worker_path', '/opt/tritonserver/backends/tensorrtllm/trtllmExecutorWorker'],
  ];
  if (r.kvCacheHostMemoryBytes !== null) params.push(['kv_cache_host_memory_bytes', String(r.kvCacheHostMemoryBytes)]);
  if (e.lookahead) {
    params.push(
      ['decoding_mode', 'lookahead'],
      ['lookahead_window_size', String(e.lookahead.windowSize)],
      ['lookahead_ngram_size', String(e.lookahead.ngramSize)],
      ['lookahead_verification_set_size', String(e.lookahead.verificationSetSize)],
    );
  }
  if (e.lora) {
    // Room for every adapter's weights at the engine's maximum rank.
    params.push(['lora_cache_max_adapter_size', String(e.lora.maxLoraRank)]);
  }
  return params;
}

/** One tensor of the config: name, type, dims, and the template's flags. */
interface Tensor {
  readonly name: string;
  readonly type: string;
  readonly dims: string;
  readonly optional?: boolean;
  readonly ragged?: boolean;
  /** `reshape: { shape: [ ] }`: a [1] tensor the backend reads as a scalar. */
  readonly scalar?: boolean;
}

const scalarIn = (name: string, type: string): Tensor => ({ name, type, dims: '[ 1 ]', optional: true, scalar: true });

/** The template's request inputs (`all_models/inflight_batcher_llm/tensorrt_llm/config.pbtxt`). */
export const TRITON_INPUTS: readonly Tensor[] = [
  // Required here, `optional: true` in the 1.x template: there an encoder-decoder request may send
  // `encoder_input_features` instead; a decoder-only request without input_ids fails in the backend
  // ("input_ids or encoder_input_features is not present"), so Triton refusing it first is the same.
  { name: 'input_ids', type: 'TYPE_INT32', dims: '[ -1 ]', ragged: true },
  { name: 'input_lengths', type: 'TYPE_INT32', dims: '[ 1 ]', scalar: true },
  { name: 'request_output_len', type: 'TYPE_INT32', dims: '[ 1 ]', scalar: true },
  scalarIn('end_id', 'TYPE_INT32'),
  scalarIn('pad_id', 'TYPE_INT32'),
  scalarIn('streaming', 'TYPE_BOOL'),
  // Sampling: without these a client cannot set sampling parameters.
  scalarIn('beam_width', 'TYPE_INT32'),
  scalarIn('runtime_top_k', 'TYPE_INT32'),
  scalarIn('runtime_top_p', 'TYPE_FP32'),
  scalarIn('temperature', 'TYPE_FP32'),
  scalarIn('repetition_penalty', 'TYPE_FP32'),
  scalarIn('presence_penalty', 'TYPE_FP32'),
  scalarIn('frequency_penalty', 'TYPE_FP32'),
  scalarIn('len_penalty', 'TYPE_FP32'),
  // The backend reads the seed as `seed` (InputFieldsNames::seed); `random_seed` was ignored.
  scalarIn('seed', 'TYPE_UINT64'),
  scalarIn('return_log_probs', 'TYPE_BOOL'),
  { name: 'stop_words_list', type: 'TYPE_INT32', dims: '[ 2, -1 ]', optional: true, ragged: true },
  { name: 'bad_words_list', type: 'TYPE_INT32', dims: '[ 2, -1 ]', optional: true, ragged: true },
];

/** LoRA inputs: without them a request cannot select an adapter. */
export const TRITON_LORA_INPUTS: readonly Tensor[] = [
  scalarIn('lora_task_id', 'TYPE_UINT64'),
  { name: 'lora_weights', type: 'TYPE_FP16', dims: '[ -1, -1 ]', optional: true, ragged: true },
  { name: 'lora_config', type: 'TYPE_INT32', dims: '[ -1, 3 ]', optional: true, ragged: true },
];

const TRITON_OUTPUTS: readonly Tensor[] = [
  { name: 'output_ids', type: 'TYPE_INT32', dims: '[ -1, -1 ]' },
  { name: 'sequence_length', type: 'TYPE_INT32', dims: '[ -1 ]' },
  // What `return_log_probs` asks for: Triton only returns outputs the model config declares.
  { name: 'cum_log_probs', type: 'TYPE_FP32', dims: '[ -1 ]' },
  { name: 'output_log_probs', type: 'TYPE_FP32', dims: '[ -1, -1 ]' },
];

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The config.pbtxt text. */
export function tritonConfigPbtxt(e: EngineSettings, r: DecoderRuntimeSettings): string {
  const lines = [
    'name: "tensorrt_llm"',
    'backend: "tensorrtllm"',
    `max_batch_size: ${e.maxBatchSize}`,
    'model_transaction_policy {',
    '  decoupled: true',
    '}',
    'dynamic_batching {',
    '  preferred_batch_size: [ ' + String(e.maxBatchSize) + ' ]',
    '}',
  ];
  const tensor = (kind: 'input' | 'output', list: readonly Tensor[]): void => {
    lines.push(`${kind} [`);
    list.forEach((t, i) => {
      lines.push('  {', `    name: "${t.name}"`, `    data_type: ${t.type}`, `    dims: ${t.dims}`);
      if (t.scalar) lines.push('    reshape: { shape: [ ] }');
      if (t.optional) lines.push('    optional: true');
      if (t.ragged) lines.push('    allow_ragged_batch: true');
      lines.push(i === list.length - 1 ? '  }' : '  },');
    });
    lines.push(']');
  };
  tensor('input', e.lora ? [...TRITON_INPUTS, ...TRITON_LORA_INPUTS] : TRITON_INPUTS);
  tensor('output', TRITON_OUTPUTS);
  lines.push('instance_group [', '  {', '    count: 1', '    kind: KIND_CPU', '  }', ']');
  for (const [key, value] of tritonParameters(e, r)) {
    lines.push('parameters: {', `  key: "${key}"`, `  value: {`, `    string_value: "${escape(value)}"`, '  }', '}');
  }
  return `${lines.join('\n')}\n`;
}
