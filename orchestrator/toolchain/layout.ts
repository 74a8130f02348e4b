/**
 * Where things live: the build workspace (mounted into every container step) and the runtime
 * mount the published launch configs refer to. Fixed paths, never machine-specific: an executor
 * maps `WORKSPACE.mount` to a per-build host directory.
 */

/** Build-time workspace paths (absolute, inside the container). */
export const WORKSPACE = {
  mount: '/workspace',
  /** The fetched source checkpoint (Hugging Face layout). */
  checkpointDir: '/workspace/checkpoint',
  /** Fetched LoRA adapters, one directory per adapter name. */
  loraDir: '/workspace/lora',
  /** Parent of the fetched calibration dataset (see `calibrationDatasetDir`). */
  calibrationDir: '/workspace/calibration',
  /** TensorRT-LLM checkpoint written by convert_checkpoint.py / quantize.py. */
  trtllmCheckpointDir: '/workspace/trtllm_checkpoint',
  /** Engine directory written by trtllm-build. */
  engineDir: '/workspace/engine',
  /** Launch files written by the planner and published next to the artifact. */
  launchDir: '/workspace/launch',
  /** ModelOpt unified HF checkpoint (v2 quantized plans), loaded by `trtllm-serve --backend pytorch`. */
  hfQuantizedDir: '/workspace/quantized_checkpoint',
} as const;

/**
 * Where a published build (`builds/<hex>/` in the artifact store: `artifact/`, `launch/`,
 * `tokenizer/`) is mounted when it is served. The artifact is the engine dir (v1) or the
 * checkpoint dir (v2).
 */
export const RUNTIME = {
  root: '/models',
  engineDir: '/models/artifact',
  checkpointDir: '/models/artifact',
  tokenizerDir: '/models/tokenizer',
  launchDir: '/models/launch',
} as const;

/** The project's step scripts inside the step image (`builder-image/Dockerfile.steps`). */
export const STEPS_DIR = '/opt/trt-orchestrator/steps';

/** TensorRT-LLM example scripts inside the NGC release image. */
export const EXAMPLES_DIR = '/app/tensorrt_llm/examples';

/**
 * Where the calibration dataset lands. quantize.py picks its reader from the `--calib_dataset`
 * string: a path containing `cnn_dailymail` is read as cnn_dailymail (config 3.0.0, column
 * `article`); any other local dir as split `train`, column `text`. So the default dataset keeps
 * that substring in its path and every other dataset gets one without it.
 */
export function calibrationDatasetDir(datasetName: string): string {
  return `${WORKSPACE.calibrationDir}/${datasetName.includes('cnn_dailymail') ? 'cnn_dailymail' : 'dataset'}`;
}

/**
 * Path of one adapter's fetched directory. Adapters are numbered in name order (names are user
 * input and may be `..`; an index never escapes the workspace).
 */
export function loraAdapterDir(index: number): string {
  return `${WORKSPACE.loraDir}/${index}`;
}
