/**
 * argv builders for the project's step scripts (`builder-image/steps/`, installed at `STEPS_DIR`
 * in the step image): the v2 ModelOpt unified-HF export and the encoder server. Each argv passes
 * `checkToolArgv` (surfaces in `surface-supplement.ts`, held equal to the scripts' argparse).
 */
import type { QuantSpec } from './engine-settings.js';
import { STEPS_DIR, WORKSPACE } from './layout.js';

export const EXPORT_HF_CHECKPOINT_SCRIPT = `${STEPS_DIR}/export_hf_checkpoint.py`;
export const ENCODER_SERVER_SCRIPT = `${STEPS_DIR}/encoder_server.py`;

/**
 * Calibrate on the mirrored dataset and write a ModelOpt unified HF checkpoint (config.json with
 * quantization_config, hf_quant_config.json, *.safetensors, tokenizer) for the PyTorch backend.
 */
export function exportHfCheckpointArgv(quant: QuantSpec, outputDir: string = WORKSPACE.hfQuantizedDir): string[] {
  return [
    'python3',
    EXPORT_HF_CHECKPOINT_SCRIPT,
    '--model_dir',
    WORKSPACE.checkpointDir,
    '--output_dir',
    outputDir,
    '--qformat',
    quant.qformat,
    ...(quant.kvCacheDtype ? ['--kv_cache_dtype', quant.kvCacheDtype] : []),
    '--calib_dataset',
    quant.calibDatasetDir,
    '--calib_size',
    String(quant.calibSize),
    '--calib_max_seq_length',
    String(quant.calibMaxSeqLength),
  ];
}

/** Encoder server settings. */
export interface EncoderServerSettings {
  readonly engineDir: string;
  readonly tokenizerDir: string;
  readonly route: '/v1/embeddings' | '/predict' | '/rerank';
  readonly pooling: 'cls' | 'last' | 'mean';
  readonly maxBatchSize: number;
  readonly maxSeqLen: number | null;
}

/** `python3 encoder_server.py …`: serves the engine with tensorrt_llm.runtime.Session. */
export function encoderServerArgv(s: EncoderServerSettings): string[] {
  return [
    'python3',
    ENCODER_SERVER_SCRIPT,
    '--engine_dir',
    s.engineDir,
    '--tokenizer_dir',
    s.tokenizerDir,
    '--host',
    '0.0.0.0',
    '--port',
    '7997',
    '--route',
    s.route,
    '--pooling',
    s.pooling,
    '--max_batch_size',
    String(s.maxBatchSize),
    ...(s.maxSeqLen !== null ? ['--max_seq_len', String(s.maxSeqLen)] : []),
  ];
}
