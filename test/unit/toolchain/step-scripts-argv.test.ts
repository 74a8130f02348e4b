// The step-script argv builders, exactly (the slow argparse checks are in step-scripts.test.ts):
// every flag present when set, absent when not, and every argv accepted by the script's surface.
import { describe, expect, it } from 'vitest';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import type { QuantSpec } from '../../../orchestrator/toolchain/engine-settings.js';
import {
  ENCODER_SERVER_SCRIPT,
  EXPORT_HF_CHECKPOINT_SCRIPT,
  encoderServerArgv,
  exportHfCheckpointArgv,
} from '../../../orchestrator/toolchain/step-scripts.js';

const FP8: QuantSpec = {
  qformat: 'fp8',
  kvCacheDtype: null,
  calibSize: 512,
  calibMaxSeqLength: 2048,
  calibDatasetDir: '/workspace/calibration/dataset',
};

describe('script paths', () => {
  it('are under the step image steps dir', () => {
    expect(EXPORT_HF_CHECKPOINT_SCRIPT).toBe('/opt/trt-orchestrator/steps/export_hf_checkpoint.py');
    expect(ENCODER_SERVER_SCRIPT).toBe('/opt/trt-orchestrator/steps/encoder_server.py');
  });
});

describe('exportHfCheckpointArgv', () => {
  it('fp8 weights only: no --kv_cache_dtype, default output dir', () => {
    const argv = exportHfCheckpointArgv(FP8);
    expect(argv).toEqual([
      'python3',
      '/opt/trt-orchestrator/steps/export_hf_checkpoint.py',
      '--model_dir',
      '/workspace/checkpoint',
      '--output_dir',
      '/workspace/quantized_checkpoint',
      '--qformat',
      'fp8',
      '--calib_dataset',
      '/workspace/calibration/dataset',
      '--calib_size',
      '512',
      '--calib_max_seq_length',
      '2048',
    ]);
    expect(checkToolArgv(argv)).toEqual([]);
  });

  it('nvfp4 with an fp8 KV cache and another output dir', () => {
    const argv = exportHfCheckpointArgv({ ...FP8, qformat: 'nvfp4', kvCacheDtype: 'fp8' }, '/workspace/out');
    expect(argv).toEqual([
      'python3',
      '/opt/trt-orchestrator/steps/export_hf_checkpoint.py',
      '--model_dir',
      '/workspace/checkpoint',
      '--output_dir',
      '/workspace/out',
      '--qformat',
      'nvfp4',
      '--kv_cache_dtype',
      'fp8',
      '--calib_dataset',
      '/workspace/calibration/dataset',
      '--calib_size',
      '512',
      '--calib_max_seq_length',
      '2048',
    ]);
    expect(checkToolArgv(argv)).toEqual([]);
  });
});

describe('encoderServerArgv', () => {
  const S = {
    engineDir: '/models/artifact',
    tokenizerDir: '/models/tokenizer',
    route: '/rerank',
    pooling: 'mean',
    maxBatchSize: 8,
    maxSeqLen: 1024,
  } as const;
  const HEAD = [
    'python3',
    '/opt/trt-orchestrator/steps/encoder_server.py',
    '--engine_dir',
    '/models/artifact',
    '--tokenizer_dir',
    '/models/tokenizer',
    '--host',
    '0.0.0.0',
    '--port',
    '7997',
    '--route',
    '/rerank',
    '--pooling',
    'mean',
    '--max_batch_size',
    '8',
  ];

  it('with --max_seq_len when set', () => {
    const argv = encoderServerArgv(S);
    expect(argv).toEqual([...HEAD, '--max_seq_len', '1024']);
    expect(checkToolArgv(argv)).toEqual([]);
  });

  it('without --max_seq_len when unset', () => {
    const argv = encoderServerArgv({ ...S, maxSeqLen: null });
    expect(argv).toEqual(HEAD);
    expect(checkToolArgv(argv)).toEqual([]);
  });
});
