/**
 * Tool surfaces the conformance fixture does not list: the BERT converter (upstream) and the
 * project's own step scripts in `builder-image/steps/` (a test compares those with the scripts'
 * argparse). Tool surfaces the conformance fixture does not list yet, read from the same TensorRT-LLM source
 * tree: `examples/models/core/bert/convert_checkpoint.py` (NVIDIA/TensorRT-LLM, commit
 * 0249976575050d2c624a5f285683c66de311a3b7). Kept apart from the fixture so that the fixture copy
 * stays byte-identical to `../shared/reference/trtllm-cli-surface.json`.
 */
import type { ToolSurface } from './surface-types.js';

/** BERT-family checkpoint converter: argparse; `main()` asserts tp_size <= 2 and pp_size == 1. */
export const BERT_CONVERT_SURFACE: ToolSurface = {
  flags: {
    '--model': {
      type: 'choice',
      required: true,
      choices: [
        'BertModel',
        'BertForQuestionAnswering',
        'BertForSequenceClassification',
        'RobertaModel',
        'RobertaForQuestionAnswering',
        'RobertaForSequenceClassification',
      ],
    },
    '--model_dir': { type: 'str', default: null },
    '--tp_size': { type: 'int', default: 1 },
    '--pp_size': { type: 'int', default: 1 },
    '--dtype': { type: 'choice', choices: ['float32', 'float16'], default: 'float16' },
    '--output_dir': { type: 'str', default: 'tllm_checkpoint' },
    '--workers': { type: 'int', default: 1 },
    '--use_fp8': { type: 'flag', default: false },
    '--quant_ckpt_path': { type: 'str', default: null },
    '--calib_dataset': { type: 'str', default: 'ccdv/cnn_dailymail' },
    '--log_level': { type: 'str', default: 'info' },
  },
};

/** `builder-image/steps/export_hf_checkpoint.py` (ModelOpt PTQ → unified HF checkpoint). */
export const EXPORT_HF_CHECKPOINT_SURFACE: ToolSurface = {
  flags: {
    '--model_dir': { type: 'str', required: true },
    '--output_dir': { type: 'str', required: true },
    '--qformat': { type: 'choice', choices: ['fp8', 'nvfp4'], required: true },
    '--kv_cache_dtype': { type: 'choice', choices: ['fp8'], default: null },
    '--calib_dataset': { type: 'str', required: true },
    '--calib_size': { type: 'int', default: 512 },
    '--calib_max_seq_length': { type: 'int', default: 512 },
    '--batch_size': { type: 'int', default: 1 },
  },
};

/** `builder-image/steps/encoder_server.py` (embeddings / scoring over a TensorRT engine). */
export const ENCODER_SERVER_SURFACE: ToolSurface = {
  flags: {
    '--engine_dir': { type: 'str', required: true },
    '--tokenizer_dir': { type: 'str', required: true },
    '--host': { type: 'str', default: '0.0.0.0' },
    '--port': { type: 'int', default: 7997 },
    '--route': { type: 'choice', choices: ['/v1/embeddings', '/predict', '/rerank'], required: true },
    '--pooling': { type: 'choice', choices: ['cls', 'last', 'mean'], default: 'cls' },
    '--max_batch_size': { type: 'int', required: true },
    '--max_seq_len': { type: 'int', default: null },
  },
};
