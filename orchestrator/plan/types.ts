/**
 * The build plan: the one data structure that `trt-plan` prints, `POST /v1/plans` returns, the
 * queue carries and the worker executes. Pure data (JSON-serializable), produced by the planner.
 *
 * Paths inside steps are absolute paths under `workspace.mount` (the directory the executor mounts
 * into the container, `/workspace`); an executor maps that prefix to a per-build host directory.
 */
import type { GpuType } from '../gpu/catalog.js';

export type InferenceStack = 'v1' | 'v2';
export type BaseModel = 'decoder' | 'encoder' | 'encoder_bert';
export type CheckpointSourceKind = 'HF' | 'S3' | 'GCS' | 'AZURE' | 'REMOTE_URL' | 'BASETEN_TRAINING';

export type { Lane, LaunchConfig, LaunchFile } from '../toolchain/types.js';
import type { Lane, LaunchConfig } from '../toolchain/types.js';

/** One thing the orchestrator downloads before any GPU step runs. */
export interface FetchItem {
  readonly role: 'checkpoint' | 'lora_adapter' | 'calibration_dataset';
  /** For LoRA adapters: the adapter name (the OpenAI `model` value). */
  readonly name: string | null;
  readonly source: CheckpointSourceKind;
  /** HF repo id, `s3://…`, `gs://…`, container URL, http(s) URL, or training job id. */
  readonly repo: string;
  /** Revision as written (null: the source's default, e.g. `main`); resolved to an immutable id at fetch time. */
  readonly revision: string | null;
  /** `model` or `dataset` (HF repo type). */
  readonly repoType: 'model' | 'dataset';
  /** Name of the secret holding the credential (never its value), or null. */
  readonly secretName: string | null;
  /** Absolute path under the workspace mount where the files land. */
  readonly dest: string;
}

interface StepBase {
  /** Unique within the plan, stable across runs: used for resume-after-last-completed-step. */
  readonly id: string;
  /** One line for people. */
  readonly description: string;
  /** Number of GPUs the step needs on the builder host (0 for orchestrator steps). */
  readonly gpus: number;
  /** Names (never values) of secrets the step needs as environment variables. */
  readonly secretEnv: readonly string[];
  /** Absolute workspace paths the step reads. */
  readonly inputs: readonly string[];
  /** Absolute workspace paths the step writes. */
  readonly outputs: readonly string[];
  /** Wall-clock limit for the step. */
  readonly timeoutSeconds: number;
}

/** Downloads checkpoint, adapters and calibration data (orchestrator; IO hosts; no GPU). */
export interface FetchStep extends StepBase {
  readonly kind: 'fetch';
  readonly image: null;
  readonly argv: readonly [];
  readonly items: readonly FetchItem[];
}

/** A step run as one argv inside the lane's container. */
export interface ContainerStep extends StepBase {
  /** convert: `convert_checkpoint.py`; quantize: `quantize.py`; engine_build: `trtllm-build`. */
  readonly kind: 'convert' | 'quantize' | 'engine_build';
  readonly image: string;
  readonly argv: readonly string[];
}

/** Uploads the artifact and launch configs, then writes the manifest last (orchestrator). */
export interface PublishStep extends StepBase {
  readonly kind: 'publish';
  readonly image: null;
  readonly argv: readonly [];
  /** Workspace directory whose files are the artifact (engine dir or checkpoint dir). */
  readonly artifactDir: string;
  readonly artifactKind: 'engine' | 'checkpoint' | 'none';
  /**
   * Workspace directory whose tokenizer files (`tokenizer*`, `special_tokens_map.json`,
   * `vocab*`, `merges.txt`, `*.model`, `config.json`) are published under `tokenizer/`, or null.
   */
  readonly tokenizerDir?: string | null;
}

export type PlanStep = FetchStep | ContainerStep | PublishStep;
export type StepKind = PlanStep['kind'];

export interface BuildPlan {
  readonly schemaVersion: 1;
  /** `sha256:` + 64 hex over the canonical form of everything that changes what is built. */
  readonly planHash: string;
  readonly stack: InferenceStack;
  readonly baseModel: BaseModel;
  readonly accelerator: { readonly type: GpuType; readonly count: number; readonly sm: number };
  readonly builder: { readonly gpuType: GpuType; readonly gpuCount: number };
  readonly lane: Lane;
  readonly workspace: {
    /** Container path the workspace is mounted at. */
    readonly mount: string;
    readonly checkpointDir: string;
    readonly artifactDir: string;
    readonly launchDir: string;
  };
  readonly steps: readonly PlanStep[];
  /** Launch configs by name (`trtllm-serve`, `triton`, `encoder`, …). */
  readonly launch: Readonly<Record<string, LaunchConfig>>;
  /** Things the planner assumed because it could not know them offline (e.g. the model family). */
  readonly assumptions: readonly string[];
}
