/**
 * Tool surfaces the conformance fixture does not list yet, read from the same TensorRT-LLM source
 * tree: `examples/models/core/bert/convert_checkpoint.py` (NVIDIA/TensorRT-LLM, commit
 * 0249976575050d2c624a5f285683c66de311a3b7). Kept apart from the fixture so that the fixture copy
 * stays byte-identical to `../shared/reference/trtllm-cli-surface.json`.
 */
import type { ToolSurface } from './surface.js';

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
