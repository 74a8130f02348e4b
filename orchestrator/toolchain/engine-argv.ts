/**
 * argv builders for the v1 engine lane: convert_checkpoint.py (per family), quantize.py and
 * trtllm-build. Each returns one argv array (never a shell string) that passes checkToolArgv.
 */
import { EXAMPLES_DIR, WORKSPACE, loraAdapterDir } from './layout.js';
import type { BertSettings, EngineSettings, QuantSpec } from './engine-settings.js';

const s = (n: number): string => String(n);

/** Parallelism flags shared by the converters and quantize.py. */
function parallelFlags(e: Pick<EngineSettings, 'tp' | 'pp'>): string[] {
  return ['--tp_size', s(e.tp), ...(e.pp > 1 ? ['--pp_size', s(e.pp)] : [])];
}

/** convert_checkpoint.py for a llama or qwen checkpoint in its own dtype (no_quant). */
export function convertCheckpointArgv(e: EngineSettings): string[] {
  if (e.family === 'generic') throw new Error('generic family converts through quantize.py');
  const moe = e.moeEp !== null ? ['--moe_tp_size', s(e.tp / e.moeEp), '--moe_ep_size', s(e.moeEp)] : [];
  return [
    'python3',
    `${EXAMPLES_DIR}/models/core/${e.family}/convert_checkpoint.py`,
    '--model_dir',
    WORKSPACE.checkpointDir,
    '--output_dir',
    WORKSPACE.trtllmCheckpointDir,
    '--dtype',
    'auto',
    ...parallelFlags(e),
    ...moe,
    ...(e.workers > 1 ? ['--workers', s(e.workers)] : []),
  ];
}

/** quantize.py (ModelOpt PTQ) writing a TensorRT-LLM checkpoint; `full_prec` when quant is null. */
export function quantizeArgv(
  e: Pick<EngineSettings, 'tp' | 'pp'>,
  quant: QuantSpec | null,
  outputDir: string,
): string[] {
  const argv = [
    'python3',
    `${EXAMPLES_DIR}/quantization/quantize.py`,
    '--model_dir',
    WORKSPACE.checkpointDir,
    '--output_dir',
    outputDir,
    '--dtype',
    'auto',
    '--qformat',
    quant ? quant.qformat : 'full_prec',
  ];
  if (quant) {
    if (quant.kvCacheDtype) argv.push('--kv_cache_dtype', quant.kvCacheDtype);
    argv.push(
      '--calib_dataset',
      quant.calibDatasetDir,
      '--calib_size',
      s(quant.calibSize),
      '--calib_max_seq_length',
      s(quant.calibMaxSeqLength),
    );
    // The tokenizer truncates calibration samples at 2048 tokens unless told otherwise.
    if (quant.calibMaxSeqLength > 2048) argv.push('--tokenizer_max_seq_length', s(quant.calibMaxSeqLength));
  }
  argv.push(...parallelFlags(e));
  return argv;
}

/** trtllm-build for a decoder-style checkpoint (decoders and causal `encoder` models). */
export function trtllmBuildArgv(e: EngineSettings): string[] {
  const argv = [
    'trtllm-build',
    '--checkpoint_dir',
    WORKSPACE.trtllmCheckpointDir,
    '--output_dir',
    WORKSPACE.engineDir,
    '--max_batch_size',
    s(e.maxBatchSize),
    '--max_num_tokens',
    s(e.maxNumTokens),
  ];
  if (e.maxSeqLen !== null) argv.push('--max_seq_len', s(e.maxSeqLen), '--max_input_len', s(e.maxSeqLen));
  argv.push('--kv_cache_type', e.pagedKvCache ? 'paged' : 'continuous');
  argv.push('--use_paged_context_fmha', e.pagedContextFmha ? 'enable' : 'disable');
  argv.push('--use_fp8_context_fmha', e.fp8ContextFmha ? 'enable' : 'disable');
  if (e.quant === null) argv.push('--gemm_plugin', 'auto');
  else if (e.quant.qformat === 'nvfp4') argv.push('--gemm_plugin', 'nvfp4');
  if (e.lookahead) {
    argv.push('--speculative_decoding_mode', 'lookahead_decoding', '--max_draft_len', s(e.lookahead.maxDraftLen));
  }
  if (e.lora) {
    argv.push('--lora_plugin', 'auto', '--lora_ckpt_source', 'hf', '--max_lora_rank', s(e.lora.maxLoraRank));
    argv.push('--lora_dir', ...e.lora.adapterNames.map((_, i) => loraAdapterDir(i)));
    if (e.lora.targetModules.length > 0) argv.push('--lora_target_modules', ...e.lora.targetModules);
  }
  if (e.gatherAllTokenLogits) argv.push('--gather_all_token_logits');
  if (e.maxPromptEmbeddingTableSize > 0)
    argv.push('--max_prompt_embedding_table_size', s(e.maxPromptEmbeddingTableSize));
  argv.push('--workers', s(e.workers));
  return argv;
}

/** The BERT converter (encoder_bert); 16-bit weights (the converter offers float16 or float32). */
export function convertBertArgv(b: BertSettings): string[] {
  return [
    'python3',
    `${EXAMPLES_DIR}/models/core/bert/convert_checkpoint.py`,
    '--model',
    b.modelClass,
    '--model_dir',
    WORKSPACE.checkpointDir,
    '--output_dir',
    WORKSPACE.trtllmCheckpointDir,
    '--dtype',
    'float16',
    '--tp_size',
    s(b.tp),
  ];
}

/** trtllm-build for a BERT-family checkpoint: no KV cache, padding removed, BERT attention plugin. */
export function trtllmBuildBertArgv(b: BertSettings): string[] {
  return [
    'trtllm-build',
    '--checkpoint_dir',
    WORKSPACE.trtllmCheckpointDir,
    '--output_dir',
    WORKSPACE.engineDir,
    '--max_batch_size',
    s(b.maxBatchSize),
    '--max_num_tokens',
    s(b.maxNumTokens),
    ...(b.maxSeqLen !== null ? ['--max_seq_len', s(b.maxSeqLen), '--max_input_len', s(b.maxSeqLen)] : []),
    '--kv_cache_type',
    'disabled',
    '--use_paged_context_fmha',
    'disable',
    '--bert_attention_plugin',
    'auto',
    '--remove_input_padding',
    'enable',
    '--context_fmha',
    'enable',
    '--workers',
    s(b.workers),
  ];
}
