/**
 * Plan-facing data types the toolchain produces (lanes, launch configs). They live here so that
 * `toolchain/` never imports `plan/` (the planner imports the toolchain, not the reverse);
 * `plan/types.ts` re-exports them.
 */

/** Service-level pin of one lane (from the service's configuration; parsing env is elsewhere). */
export interface LanePin {
  readonly registry?: string;
  readonly repository?: string;
  readonly tag?: string;
  /** `sha256:` + 64 hex; applies only while the tag is the pinned one (a user override drops it). */
  readonly digest?: string | null;
  /** TensorRT-LLM version the tag carries; default: parsed from the tag. */
  readonly trtllmVersion?: string;
}

/** A pinned TensorRT-LLM toolchain. */
export interface Lane {
  /** `v1-engine`: TensorRT-LLM 1.2.x with `trtllm-build`; `v2-pytorch`: `trtllm-serve --backend pytorch`. */
  readonly name: 'v1-engine' | 'v2-pytorch';
  /** Full image reference used by `docker run`, e.g. `nvcr.io/nvidia/tensorrt-llm/release:1.2.0` (+ `@sha256:…` when pinned). */
  readonly image: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string | null;
  /** TensorRT-LLM version the image carries, e.g. `1.2.0`. */
  readonly trtllmVersion: string;
  /**
   * The lane image plus the project's step scripts (`builder-image/Dockerfile.steps`): runs the v2
   * HF-checkpoint export and the encoder server. Same TensorRT-LLM version as `image`.
   */
  readonly stepsImage: string;
  /**
   * A Triton image (`tritonserver` + tensorrtllm backend) carrying the lane's TensorRT-LLM version
   * (`builder-image/Dockerfile.triton`), or null when none is configured for this version.
   */
  readonly tritonImage: string | null;
}

/** A file published next to the engine, e.g. `extra_llm_api_options.yaml` or `config.pbtxt`. */
export interface LaunchFile {
  /** Relative path under the published `launch/` directory. */
  readonly path: string;
  readonly content: string;
}

export interface LaunchConfig {
  /** What serves the artifact: `trtllm-serve` (tensorrt / pytorch backend), `triton`, `trt-encoder-server`. */
  readonly server: string;
  /** Image the command runs in (it has the server and the engine's TensorRT-LLM version). */
  readonly image: string;
  /** The launch command as argv (paths under the runtime mount, `/models`). */
  readonly argv: readonly string[];
  readonly files: readonly LaunchFile[];
}
