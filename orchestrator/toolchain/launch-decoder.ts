/**
 * Launch configs of a v1 decoder engine: the `trtllm-serve --backend tensorrt` command with its
 * `--extra_llm_api_options` YAML, and a Triton `tensorrt_llm` config.pbtxt. Both repeat the
 * engine's sizes, lookahead (W, N, V) and LoRA rank so the server matches what was built.
 */
import { stringify } from 'yaml';
import type { LaunchConfig } from './types.js';
import { RUNTIME } from './layout.js';
import type { DecoderRuntimeSettings, EngineSettings } from './engine-settings.js';
import { tritonConfigPbtxt } from './triton-config.js';

export const LLM_API_OPTIONS_FILE = 'extra_llm_api_options.yaml';
export const TRITON_MODEL_REPO = 'triton';
export const TRITON_CONFIG_FILE = `${TRITON_MODEL_REPO}/tensorrt_llm/config.pbtxt`;
/**
 * A file in the model's numeric version directory: Triton refuses a model without one, and object
 * stores keep no empty directories. The backend loads the engine from `gpt_model_path`.
 */
export const TRITON_VERSION_FILE = `${TRITON_MODEL_REPO}/tensorrt_llm/1/README.txt`;
const TRITON_VERSION_TEXT = `Version 1 of the tensorrt_llm model. The tensorrtllm backend loads the engine from gpt_model_path (${RUNTIME.engineDir}); this file keeps the version directory present in object stores.\n`;

/** The LLM API options (TensorRT backend) for a v1 decoder engine, as a plain object. */
export function decoderLlmApiOptions(e: EngineSettings, r: DecoderRuntimeSettings): Record<string, unknown> {
  const reuse = e.pagedKvCache && e.pagedContextFmha;
  const kv: Record<string, unknown> = {
    // This block replaces the CLI-built one, so the memory fraction is repeated here.
    free_gpu_memory_fraction: r.kvCacheFreeGpuMemFraction,
    enable_block_reuse: reuse,
  };
  if (r.kvCacheHostMemoryBytes !== null) kv['host_cache_size'] = r.kvCacheHostMemoryBytes;
  const options: Record<string, unknown> = {
    max_batch_size: e.maxBatchSize,
    max_num_tokens: e.maxNumTokens,
    ...(e.maxSeqLen !== null ? { max_seq_len: e.maxSeqLen } : {}),
    max_beam_width: 1,
    tensor_parallel_size: e.tp,
    pipeline_parallel_size: e.pp,
    enable_chunked_prefill: r.enableChunkedContext,
    kv_cache_config: kv,
    scheduler_config: {
      capacity_scheduler_policy:
        r.batchSchedulerPolicy === 'max_utilization' ? 'MAX_UTILIZATION' : 'GUARANTEED_NO_EVICT',
      // Given whole, as trtllm-serve's default (the block replaces it).
      dynamic_batch_config: {
        enable_batch_size_tuning: true,
        enable_max_num_tokens_tuning: false,
        dynamic_batch_moving_average_window: 128,
      },
    },
  };
  if (e.lookahead) {
    options['speculative_config'] = {
      decoding_type: 'Lookahead',
      max_window_size: e.lookahead.windowSize,
      max_ngram_size: e.lookahead.ngramSize,
      max_verification_set_size: e.lookahead.verificationSetSize,
    };
  }
  if (e.lora) {
    options['enable_lora'] = true;
    options['lora_config'] = {
      // trtllm-build copies each --lora_dir into <engine>/lora/<i>, in order.
      lora_dir: e.lora.adapterNames.map((_, i) => `${RUNTIME.engineDir}/lora/${i}`),
      lora_ckpt_source: 'hf',
      max_lora_rank: e.lora.maxLoraRank,
      ...(e.lora.targetModules.length > 0 ? { lora_target_modules: [...e.lora.targetModules] } : {}),
      max_loras: e.lora.adapterNames.length,
    };
  }
  return options;
}

/** `trtllm-serve <engine> --backend tensorrt …` plus its YAML. */
export function decoderServeLaunch(e: EngineSettings, r: DecoderRuntimeSettings, image: string): LaunchConfig {
  const argv = [
    'trtllm-serve',
    RUNTIME.engineDir,
    '--backend',
    'tensorrt',
    '--tokenizer',
    RUNTIME.tokenizerDir,
    '--host',
    '0.0.0.0',
    '--port',
    '8000',
    '--max_batch_size',
    String(e.maxBatchSize),
    '--max_num_tokens',
    String(e.maxNumTokens),
    ...(e.maxSeqLen !== null ? ['--max_seq_len', String(e.maxSeqLen)] : []),
    '--tp_size',
    String(e.tp),
    ...(e.pp > 1 ? ['--pp_size', String(e.pp)] : []),
    '--kv_cache_free_gpu_memory_fraction',
    String(r.kvCacheFreeGpuMemFraction),
    '--extra_llm_api_options',
    `${RUNTIME.launchDir}/${LLM_API_OPTIONS_FILE}`,
  ];
  return {
    server: 'trtllm-serve',
    image,
    argv,
    files: [{ path: LLM_API_OPTIONS_FILE, content: stringify(decoderLlmApiOptions(e, r)) }],
  };
}

/**
 * The foreground Triton command `launch_triton_server.py` composes (it then detaches, so it cannot
 * be a container's command): `mpirun -n 1 tritonserver … : -n 1 tritonserver …`, one segment per
 * rank; ranks above 0 load only the tensorrt_llm model.
 */
export function tritonServerArgv(worldSize: number): string[] {
  const argv = ['mpirun', '--allow-run-as-root'];
  for (let rank = 0; rank < worldSize; rank++) {
    if (rank > 0) argv.push(':');
    argv.push('-n', '1', 'tritonserver', `--model-repository=${RUNTIME.launchDir}/${TRITON_MODEL_REPO}`);
    if (rank > 0) argv.push('--model-control-mode=explicit', '--load-model=tensorrt_llm');
    argv.push(
      '--grpc-port=8001',
      '--http-port=8000',
      '--metrics-port=8002',
      '--disable-auto-complete-config',
      `--backend-config=python,shm-region-prefix-name=prefix${rank}_`,
    );
  }
  return argv;
}

/** Triton (tensorrtllm backend) model repository for the engine, run in `image` (has `tritonserver`). */
export function decoderTritonLaunch(e: EngineSettings, r: DecoderRuntimeSettings, image: string): LaunchConfig {
  return {
    server: 'triton',
    image,
    argv: tritonServerArgv(e.tp * e.pp),
    files: [
      { path: TRITON_CONFIG_FILE, content: tritonConfigPbtxt(e, r) },
      { path: TRITON_VERSION_FILE, content: TRITON_VERSION_TEXT },
    ],
  };
}
