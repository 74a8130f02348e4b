/**
 * Triton `tensorrt_llm` model config (config.pbtxt) for a v1 decoder engine, filled the way
 * `tools/fill_template.py` would fill the 1.2 template: every parameter key exists in the
 * fixture's `triton_config_pbtxt.parameters`.
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

const TENSORS_IN: ReadonlyArray<[string, string, string]> = [
  ['input_ids', 'TYPE_INT32', '[ -1 ]'],
  ['input_lengths', 'TYPE_INT32', '[ 1 ]'],
  ['request_output_len', 'TYPE_INT32', '[ 1 ]'],
  ['end_id', 'TYPE_INT32', '[ 1 ]'],
  ['pad_id', 'TYPE_INT32', '[ 1 ]'],
  ['streaming', 'TYPE_BOOL', '[ 1 ]'],
];
const TENSORS_OUT: ReadonlyArray<[string, string, string]> = [
  ['output_ids', 'TYPE_INT32', '[ -1, -1 ]'],
  ['sequence_length', 'TYPE_INT32', '[ -1 ]'],
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
  const tensor = (kind: 'input' | 'output', list: ReadonlyArray<[string, string, string]>): void => {
    lines.push(`${kind} [`);
    list.forEach(([name, type, dims], i) => {
      const optional = kind === 'input' && !['input_ids', 'input_lengths', 'request_output_len'].includes(name);
      lines.push('  {', `    name: "${name}"`, `    data_type: ${type}`, `    dims: ${dims}`);
      if (optional) lines.push('    optional: true');
      lines.push(i === list.length - 1 ? '  }' : '  },');
    });
    lines.push(']');
  };
  tensor('input', TENSORS_IN);
  tensor('output', TENSORS_OUT);
  lines.push('instance_group [', '  {', '    count: 1', '    kind: KIND_CPU', '  }', ']');
  for (const [key, value] of tritonParameters(e, r)) {
    lines.push('parameters: {', `  key: "${key}"`, `  value: {`, `    string_value: "${escape(value)}"`, '  }', '}');
  }
  return `${lines.join('\n')}\n`;
}
