// The v1 argv builders, exactly: every flag present when planned (--pp_size, --moe_tp_size /
// --moe_ep_size, workers, KV dtype, long calibration, lookahead, LoRA …), absent when not, and
// every argv accepted by the pinned CLI surface.
import { describe, expect, it } from 'vitest';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import {
  convertBertArgv,
  convertCheckpointArgv,
  quantizeArgv,
  trtllmBuildArgv,
  trtllmBuildBertArgv,
} from '../../../orchestrator/toolchain/engine-argv.js';
import type { BertSettings, EngineSettings, QuantSpec } from '../../../orchestrator/toolchain/engine-settings.js';
import { plainEngine } from './engine-fixture.js';

const E: EngineSettings = plainEngine({ maxBatchSize: 256 });
const FP8: QuantSpec = {
  qformat: 'fp8',
  kvCacheDtype: null,
  calibSize: 1024,
  calibMaxSeqLength: 1536,
  calibDatasetDir: '/workspace/calibration/cnn_dailymail',
};
const IO = ['--checkpoint_dir', '/workspace/trtllm_checkpoint', '--output_dir', '/workspace/engine'];
const CONVERT = [
  '--model_dir',
  '/workspace/checkpoint',
  '--output_dir',
  '/workspace/trtllm_checkpoint',
  '--dtype',
  'auto',
];

function conforms(argv: string[]): string[] {
  expect(checkToolArgv(argv)).toEqual([]);
  return argv;
}

describe('convertCheckpointArgv', () => {
  it('llama, TP 1: no PP, MoE or workers flags', () => {
    expect(conforms(convertCheckpointArgv(E))).toEqual([
      'python3',
      '/app/tensorrt_llm/examples/models/core/llama/convert_checkpoint.py',
      ...CONVERT,
      '--tp_size',
      '1',
    ]);
  });
  it('qwen with pipeline parallelism and workers', () => {
    expect(conforms(convertCheckpointArgv({ ...E, family: 'qwen', tp: 2, pp: 2, workers: 4 }))).toEqual([
      'python3',
      '/app/tensorrt_llm/examples/models/core/qwen/convert_checkpoint.py',
      ...CONVERT,
      '--tp_size',
      '2',
      '--pp_size',
      '2',
      '--workers',
      '4',
    ]);
  });
  it('expert parallelism: --moe_tp_size = TP / EP and --moe_ep_size = EP', () => {
    expect(conforms(convertCheckpointArgv({ ...E, tp: 8, moeEp: 2, workers: 2 }))).toEqual([
      'python3',
      '/app/tensorrt_llm/examples/models/core/llama/convert_checkpoint.py',
      ...CONVERT,
      '--tp_size',
      '8',
      '--moe_tp_size',
      '4',
      '--moe_ep_size',
      '2',
      '--workers',
      '2',
    ]);
  });
  it('PP 1 and workers 1 add nothing; PP 2 and workers 2 each add their flag', () => {
    expect(convertCheckpointArgv({ ...E, pp: 2 })).toContain('--pp_size');
    expect(convertCheckpointArgv({ ...E, workers: 2 })).toContain('--workers');
    expect(convertCheckpointArgv(E)).not.toContain('--pp_size');
    expect(convertCheckpointArgv(E)).not.toContain('--workers');
  });
  it('the generic family has no converter', () => {
    expect(() => convertCheckpointArgv({ ...E, family: 'generic' })).toThrow(
      'generic family converts through quantize.py',
    );
  });
});

describe('quantizeArgv', () => {
  const Q = [
    'python3',
    '/app/tensorrt_llm/examples/quantization/quantize.py',
    '--model_dir',
    '/workspace/checkpoint',
    '--output_dir',
    '/out',
    '--dtype',
    'auto',
  ];
  it('full precision export (no quantization)', () => {
    expect(conforms(quantizeArgv(E, null, '/out'))).toEqual([...Q, '--qformat', 'full_prec', '--tp_size', '1']);
  });
  it('fp8 with the default calibration, TP 2 PP 2', () => {
    expect(conforms(quantizeArgv({ tp: 2, pp: 2 }, FP8, '/out'))).toEqual([
      ...Q,
      '--qformat',
      'fp8',
      '--calib_dataset',
      '/workspace/calibration/cnn_dailymail',
      '--calib_size',
      '1024',
      '--calib_max_seq_length',
      '1536',
      '--tp_size',
      '2',
      '--pp_size',
      '2',
    ]);
  });
  it('an fp8 KV cache adds --kv_cache_dtype', () => {
    expect(conforms(quantizeArgv(E, { ...FP8, qformat: 'nvfp4', kvCacheDtype: 'fp8' }, '/out'))).toEqual([
      ...Q,
      '--qformat',
      'nvfp4',
      '--kv_cache_dtype',
      'fp8',
      '--calib_dataset',
      '/workspace/calibration/cnn_dailymail',
      '--calib_size',
      '1024',
      '--calib_max_seq_length',
      '1536',
      '--tp_size',
      '1',
    ]);
  });
  it('calibration longer than 2048 tokens raises the tokenizer limit; 2048 does not', () => {
    expect(quantizeArgv(E, { ...FP8, calibMaxSeqLength: 2048 }, '/out')).not.toContain('--tokenizer_max_seq_length');
    const long = conforms(quantizeArgv(E, { ...FP8, calibMaxSeqLength: 2112 }, '/out'));
    expect(long.slice(-4)).toEqual(['--tokenizer_max_seq_length', '2112', '--tp_size', '1']);
  });
});

describe('trtllmBuildArgv', () => {
  const BASE = ['trtllm-build', ...IO, '--max_batch_size', '256', '--max_num_tokens', '8192'];
  it('defaults: paged KV, paged context FMHA, auto GEMM plugin, one worker', () => {
    expect(conforms(trtllmBuildArgv(E))).toEqual([
      ...BASE,
      '--kv_cache_type',
      'paged',
      '--use_paged_context_fmha',
      'enable',
      '--use_fp8_context_fmha',
      'disable',
      '--gemm_plugin',
      'auto',
      '--workers',
      '1',
    ]);
  });
  it('max_seq_len sets both --max_seq_len and --max_input_len; plugins off; fp8 quant has no GEMM flag', () => {
    expect(
      conforms(
        trtllmBuildArgv({
          ...E,
          maxSeqLen: 4096,
          pagedKvCache: false,
          pagedContextFmha: false,
          fp8ContextFmha: true,
          quant: FP8,
          workers: 4,
        }),
      ),
    ).toEqual([
      ...BASE,
      '--max_seq_len',
      '4096',
      '--max_input_len',
      '4096',
      '--kv_cache_type',
      'continuous',
      '--use_paged_context_fmha',
      'disable',
      '--use_fp8_context_fmha',
      'enable',
      '--workers',
      '4',
    ]);
  });
  it('nvfp4 uses the nvfp4 GEMM plugin', () => {
    const argv = conforms(trtllmBuildArgv({ ...E, quant: { ...FP8, qformat: 'nvfp4' } }));
    expect(argv.slice(argv.indexOf('--gemm_plugin'), argv.indexOf('--gemm_plugin') + 2)).toEqual([
      '--gemm_plugin',
      'nvfp4',
    ]);
  });
  it('lookahead adds the decoding mode and the draft length', () => {
    const argv = conforms(
      trtllmBuildArgv({ ...E, lookahead: { windowSize: 8, ngramSize: 3, verificationSetSize: 3, maxDraftLen: 21 } }),
    );
    expect(argv.slice(-6)).toEqual([
      '--speculative_decoding_mode',
      'lookahead_decoding',
      '--max_draft_len',
      '21',
      '--workers',
      '1',
    ]);
  });
  it('LoRA adds the plugin, one dir per adapter, and target modules when given', () => {
    const argv = conforms(
      trtllmBuildArgv({
        ...E,
        lora: { adapterNames: ['a', 'b'], maxLoraRank: 16, targetModules: ['attn_q', 'attn_v'] },
      }),
    );
    expect(argv.slice(argv.indexOf('--lora_plugin'))).toEqual([
      '--lora_plugin',
      'auto',
      '--lora_ckpt_source',
      'hf',
      '--max_lora_rank',
      '16',
      '--lora_dir',
      '/workspace/lora/0',
      '/workspace/lora/1',
      '--lora_target_modules',
      'attn_q',
      'attn_v',
      '--workers',
      '1',
    ]);
    const inferred = trtllmBuildArgv({ ...E, lora: { adapterNames: ['a'], maxLoraRank: 8, targetModules: [] } });
    expect(inferred).not.toContain('--lora_target_modules');
    expect(inferred.slice(inferred.indexOf('--lora_dir'))).toEqual([
      '--lora_dir',
      '/workspace/lora/0',
      '--workers',
      '1',
    ]);
  });
  it('logits and prompt tables only when asked', () => {
    const argv = conforms(trtllmBuildArgv({ ...E, gatherAllTokenLogits: true, maxPromptEmbeddingTableSize: 1024 }));
    expect(argv.slice(-5)).toEqual([
      '--gather_all_token_logits',
      '--max_prompt_embedding_table_size',
      '1024',
      '--workers',
      '1',
    ]);
    expect(trtllmBuildArgv(E)).not.toContain('--gather_all_token_logits');
    expect(trtllmBuildArgv({ ...E, maxPromptEmbeddingTableSize: 0 })).not.toContain(
      '--max_prompt_embedding_table_size',
    );
  });
});

describe('BERT argv', () => {
  const B: BertSettings = {
    modelClass: 'BertModel',
    tp: 1,
    workers: 1,
    maxBatchSize: 32,
    maxNumTokens: 16384,
    maxSeqLen: null,
  };
  it('converter', () => {
    expect(conforms(convertBertArgv({ ...B, modelClass: 'RobertaForSequenceClassification', tp: 2 }))).toEqual([
      'python3',
      '/app/tensorrt_llm/examples/models/core/bert/convert_checkpoint.py',
      '--model',
      'RobertaForSequenceClassification',
      '--model_dir',
      '/workspace/checkpoint',
      '--output_dir',
      '/workspace/trtllm_checkpoint',
      '--dtype',
      'float16',
      '--tp_size',
      '2',
    ]);
  });
  it('trtllm-build with and without max_seq_len', () => {
    const tail = [
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
    ];
    expect(conforms(trtllmBuildBertArgv(B))).toEqual([
      'trtllm-build',
      ...IO,
      '--max_batch_size',
      '32',
      '--max_num_tokens',
      '16384',
      ...tail,
      '--workers',
      '1',
    ]);
    expect(conforms(trtllmBuildBertArgv({ ...B, maxSeqLen: 512, workers: 2 }))).toEqual([
      'trtllm-build',
      ...IO,
      '--max_batch_size',
      '32',
      '--max_num_tokens',
      '16384',
      '--max_seq_len',
      '512',
      '--max_input_len',
      '512',
      ...tail,
      '--workers',
      '2',
    ]);
  });
});
