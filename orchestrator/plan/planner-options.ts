/** Options of the planner: the service's lane pins and step time limits (pure data, parsed elsewhere). */
import type { LaneOverrides } from '../toolchain/lanes.js';
import type { StepKind } from './types.js';

export interface PlannerOptions {
  /** Registry / repository / tag / digest overrides of the pinned lanes. */
  readonly lanes?: LaneOverrides;
  /** Wall-clock limit per step kind, in seconds (defaults in `DEFAULT_STEP_TIMEOUTS`). */
  readonly stepTimeoutSeconds?: Partial<Readonly<Record<StepKind, number>>>;
  /**
   * `architectures[0]` of the checkpoint's config.json when known (e.g. a worker re-planning after
   * the fetch). Offline it is unknown and the planner infers the model family from the repo name.
   */
  readonly checkpointArchitecture?: string;
}

/** Architecture names as they appear in config.json (`LlamaForCausalLM`). */
export const ARCHITECTURE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** Default step limits: downloads and calibration of large models take hours. */
export const DEFAULT_STEP_TIMEOUTS: Readonly<Record<StepKind, number>> = {
  fetch: 4 * 3600,
  convert: 2 * 3600,
  quantize: 6 * 3600,
  engine_build: 6 * 3600,
  publish: 2 * 3600,
};

/** The limit for one step kind. */
export function stepTimeout(options: PlannerOptions | undefined, kind: StepKind): number {
  const t = options?.stepTimeoutSeconds?.[kind] ?? 0;
  return Number.isInteger(t) && t > 0 ? t : DEFAULT_STEP_TIMEOUTS[kind];
}
