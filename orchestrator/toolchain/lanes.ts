/**
 * The pinned TensorRT-LLM toolchains ("lanes"): the v1 engine lane (the 1.2.x line, the last one
 * with `trtllm-build`) and the v2 PyTorch lane (`trtllm-serve --backend pytorch`). Both generate
 * argv and YAML for the 1.2 CLI surface in the fixture, so a tag outside 1.2.x is refused rather
 * than silently run with flags it may not accept. Pure: the service passes its overrides in.
 */
import { stepsImageFor, tritonImageFor } from './runtime-images.js';
import type { Lane, LanePin } from './types.js';

export type { LanePin } from './types.js';

/** Overrides of both lanes and of the runtime images (see `runtime-images.ts`). */
export interface LaneOverrides {
  readonly v1?: LanePin;
  readonly v2?: LanePin;
  /** The step image (release image + the project's step scripts); default: follows the lane's tag. */
  readonly steps?: LanePin;
  /** The Triton runtime image; `null`: none available (plans get no Triton launch). */
  readonly triton?: LanePin | null;
}

/** A lane problem, turned into a Diagnostic by the planner. */
export interface LaneProblem {
  readonly code: 'VERSION_OVERRIDE_OUTSIDE_LANE' | 'VERSION_OVERRIDE_UNPARSEABLE' | 'LANE_PIN_INVALID';
  readonly path: string;
  readonly message: string;
}

const DEFAULT_REGISTRY = 'nvcr.io';
const DEFAULT_REPOSITORY = 'nvidia/tensorrt-llm/release';
/** TensorRT-LLM 1.2.1: the version the Triton backend pins on its release/1.2 branch. */
export const DEFAULT_TRTLLM_VERSION = '1.2.1';

/** Both lanes' defaults (no digest: the default image is named by its tag). */
const DEFAULTS: Readonly<Record<Lane['name'], Required<Omit<LanePin, 'digest'>>>> = {
  'v1-engine': {
    registry: DEFAULT_REGISTRY,
    repository: DEFAULT_REPOSITORY,
    tag: DEFAULT_TRTLLM_VERSION,
    trtllmVersion: DEFAULT_TRTLLM_VERSION,
  },
  'v2-pytorch': {
    registry: DEFAULT_REGISTRY,
    repository: DEFAULT_REPOSITORY,
    tag: DEFAULT_TRTLLM_VERSION,
    trtllmVersion: DEFAULT_TRTLLM_VERSION,
  },
};

const VERSION_IN_TAG = /(?:^|[^0-9.])(\d+\.\d+\.\d+(?:\.?(?:rc|post|dev)\d+)*)/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The TensorRT-LLM version a tag names (`1.2.1`, `release-1.2.0rc6` → `1.2.0rc6`), or undefined. */
export function versionFromTag(tag: string): string | undefined {
  return VERSION_IN_TAG.exec(tag)?.[1];
}

/** Both lanes accept the 1.2.x line only: the argv and YAML generators target its surface. */
export function versionInLane(version: string): boolean {
  return /^1\.2\.\d/.test(version);
}

/** The checked fields of a pin, in report order: field, its shape, what it should be. */
const PIN_FIELDS: ReadonlyArray<readonly ['registry' | 'repository' | 'tag' | 'digest', RegExp, string]> = [
  ['registry', REGISTRY, 'registry host'],
  ['repository', REPOSITORY, 'image repository'],
  ['tag', TAG, 'image tag'],
  ['digest', DIGEST, 'digest (sha256: + 64 hex)'],
];

function pinProblems(key: 'v1' | 'v2' | 'steps' | 'triton', pin: LanePin): LaneProblem[] {
  return PIN_FIELDS.flatMap(([field, shape, expected]): LaneProblem[] => {
    const value = pin[field];
    if (value == null || shape.test(value)) return [];
    return [
      {
        code: 'LANE_PIN_INVALID',
        path: `options.lanes.${key}.${field}`,
        message: `${field} ${JSON.stringify(value)} is not a valid ${expected}`,
      },
    ];
  });
}

/**
 * Resolves one lane: service pin over the defaults, then the user's version override (a tag of
 * the same repository), then its step and Triton images. Returns the lane (and notes on images not
 * used) or the problems found.
 */
export function resolveLane(
  name: Lane['name'],
  userOverride: string | null,
  overridePath: string,
  pins?: LaneOverrides,
): { lane: Lane; notes: string[] } | { problems: LaneProblem[] } {
  const pin = (name === 'v1-engine' ? pins?.v1 : pins?.v2) ?? {};
  const pinned = [
    ...pinProblems(name === 'v1-engine' ? 'v1' : 'v2', pin),
    ...(pins?.steps ? pinProblems('steps', pins.steps) : []),
    ...(pins?.triton ? pinProblems('triton', pins.triton) : []),
  ];
  if (pinned.length > 0) return { problems: pinned };
  const problems: LaneProblem[] = [];
  const d = DEFAULTS[name];
  const registry = pin.registry ?? d.registry;
  const repository = pin.repository ?? d.repository;
  let tag = pin.tag ?? d.tag;
  let digest = pin.digest ?? null;
  let version = pin.trtllmVersion ?? (pin.tag !== undefined ? versionFromTag(pin.tag) : d.trtllmVersion);
  let versionPath = `options.lanes.${name === 'v1-engine' ? 'v1' : 'v2'}.tag`;
  if (userOverride !== null) {
    if (!TAG.test(userOverride)) {
      problems.push({
        code: 'VERSION_OVERRIDE_UNPARSEABLE',
        path: overridePath,
        message: `${JSON.stringify(userOverride)} is not a valid image tag`,
      });
    }
    tag = userOverride;
    digest = null;
    version = versionFromTag(userOverride);
    versionPath = overridePath;
  }
  if (version === undefined) {
    problems.push({
      code: 'VERSION_OVERRIDE_UNPARSEABLE',
      path: versionPath,
      message: `cannot tell which TensorRT-LLM version tag ${JSON.stringify(tag)} carries; use a tag such as ${DEFAULT_TRTLLM_VERSION}`,
    });
    return { problems };
  }
  if (!versionInLane(version)) {
    const why =
      name === 'v1-engine'
        ? 'the v1 engine lane runs trtllm-build from the TensorRT-LLM 1.2.x line (the engine path was removed after 1.3.0rc20; older lines take other flags)'
        : 'the v2 lane writes trtllm-serve options for the TensorRT-LLM 1.2.x surface';
    problems.push({
      code: 'VERSION_OVERRIDE_OUTSIDE_LANE',
      path: versionPath,
      message: `tag ${JSON.stringify(tag)} is TensorRT-LLM ${version}, outside this lane: ${why}; use a 1.2.x tag such as ${DEFAULT_TRTLLM_VERSION}`,
    });
  }
  if (problems.length > 0) return { problems };
  const image = `${registry}/${repository}:${tag}${digest ? `@${digest}` : ''}`;
  const notes: string[] = [];
  const stepsImage = stepsImageFor({ tag, trtllmVersion: version }, pins?.steps, notes);
  const tritonImage = name === 'v1-engine' ? tritonImageFor(version, pins?.triton, notes) : null;
  return {
    lane: {
      name,
      image,
      registry,
      repository,
      tag,
      digest,
      trtllmVersion: version,
      stepsImage,
      tritonImage,
    },
    notes,
  };
}
