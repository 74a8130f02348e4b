/**
 * The images a plan runs besides the lane's release image: the step image (release image + the
 * project's step scripts, `builder-image/Dockerfile.steps`) and the Triton runtime image
 * (`builder-image/Dockerfile.triton`, built from tensorrtllm_backend's recipe that pins
 * TensorRT-LLM 1.2.1). Both are named by a configurable registry/repository/tag/digest, like the
 * lanes. An engine runs only under the TensorRT-LLM version that built it, so an image whose
 * version differs from the lane's is not used: the step image follows the lane's tag unless
 * pinned, and without a Triton image of the lane's version the plan has no Triton launch. Pure.
 */
import type { LanePin } from './types.js';

/** Service pins of the runtime images (`options.lanes.steps`, `options.lanes.triton`). */
export interface RuntimeImagePins {
  readonly steps?: LanePin;
  /** `null`: no Triton image is available to this service (no Triton launch). */
  readonly triton?: LanePin | null;
}

export const DEFAULT_IMAGE_REGISTRY = 'ghcr.io';
export const STEPS_REPOSITORY = 'trt-orchestrator/trtllm-steps';
export const TRITON_REPOSITORY = 'trt-orchestrator/tritonserver-trtllm';
/** The TensorRT-LLM version tensorrtllm_backend's Dockerfile pins (TENSORRTLLM_VER). */
export const TRITON_DEFAULT_TRTLLM_VERSION = '1.2.1';

const VERSION = /\d+\.\d+\.\d+(?:rc\d+)?/;

function ref(registry: string, repository: string, tag: string, digest: string | null | undefined): string {
  return `${registry}/${repository}:${tag}${digest ? `@${digest}` : ''}`;
}

/** The step image for a lane: `<registry>/<repository>:<lane tag>` unless the service pins one of the lane's version. */
export function stepsImageFor(
  lane: { readonly tag: string; readonly trtllmVersion: string },
  pin: LanePin | undefined,
  notes: string[],
): string {
  const version = pin?.trtllmVersion ?? pin?.tag?.match(VERSION)?.[0];
  if (pin !== undefined && pin.tag !== undefined && version !== lane.trtllmVersion) {
    notes.push(
      `step image pin ${pin.repository ?? STEPS_REPOSITORY}:${pin.tag} carries TensorRT-LLM ${version ?? '?'}, not the lane's ${lane.trtllmVersion}; using the image built for the lane's tag instead`,
    );
    return ref(pin.registry ?? DEFAULT_IMAGE_REGISTRY, pin.repository ?? STEPS_REPOSITORY, lane.tag, null);
  }
  // A digest belongs to the pinned tag: under the lane's tag (which a user override changes) it would
  // keep pulling the one image it was taken from, of whatever version that was.
  if (pin?.tag === undefined && pin?.digest != null) {
    notes.push(
      `step image pin digest ${pin.digest} not used: without a pinned tag the step image follows the lane's tag; pin the tag with the digest`,
    );
  }
  return ref(
    pin?.registry ?? DEFAULT_IMAGE_REGISTRY,
    pin?.repository ?? STEPS_REPOSITORY,
    pin?.tag ?? lane.tag,
    pin?.tag === undefined ? null : pin.digest,
  );
}

/** The Triton image for a lane version, or null (with the reason in `notes`). */
export function tritonImageFor(laneVersion: string, pin: LanePin | null | undefined, notes: string[]): string | null {
  if (pin === null) {
    notes.push('no Triton launch: the service configures no Triton runtime image (options.lanes.triton is null)');
    return null;
  }
  const tag = pin?.tag ?? TRITON_DEFAULT_TRTLLM_VERSION;
  const version =
    pin?.trtllmVersion ?? (pin?.tag !== undefined ? pin.tag.match(VERSION)?.[0] : TRITON_DEFAULT_TRTLLM_VERSION);
  if (version !== laneVersion) {
    notes.push(
      `no Triton launch: the Triton runtime image ${pin?.repository ?? TRITON_REPOSITORY}:${tag} carries TensorRT-LLM ${version ?? '(unknown)'}, and an engine built by ${laneVersion} runs only under ${laneVersion}; build builder-image/Dockerfile.triton for ${laneVersion} and pin it in options.lanes.triton`,
    );
    return null;
  }
  return ref(pin?.registry ?? DEFAULT_IMAGE_REGISTRY, pin?.repository ?? TRITON_REPOSITORY, tag, pin?.digest);
}
