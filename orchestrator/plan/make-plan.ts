/**
 * The planner: a validated config (+ the service's lane pins) → the exact build plan, or the
 * reasons the pinned lanes cannot produce it. Pure and deterministic.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { ValidatedConfig } from '../config/index.js';
import { gpuInfo } from '../gpu/catalog.js';
import { resolveLane } from '../toolchain/lanes.js';
import { RUNTIME, WORKSPACE } from '../toolchain/layout.js';
import { planError } from './plan-error.js';
import { planHash } from './plan-hash.js';
import type { PlanBody } from './plan-v1.js';
import { planV1 } from './plan-v1.js';
import { planV2 } from './plan-v2.js';
import { ARCHITECTURE_NAME } from './planner-options.js';
import type { PlannerOptions } from './planner-options.js';
import type { BuildPlan, PublishStep } from './types.js';

/** The subset of a validated config the planner reads. */
export type PlanInput = Pick<ValidatedConfig, 'trtLlm' | 'resources' | 'secretNames'>;

/** Plans a validated config; `{errors}` when the pinned lanes cannot build it as written. */
export function makePlan(config: PlanInput, options?: PlannerOptions): { plan: BuildPlan } | { errors: Diagnostic[] } {
  const trt = config.trtLlm;
  const { type, count } = config.resources.accelerator;
  const gpu = gpuInfo(type);
  const errors: Diagnostic[] = [];
  if (!gpu.trtLlmSupported) {
    errors.push(
      planError(
        'GPU_NOT_IN_LANE',
        'resources.accelerator',
        `${type} (SM ${gpu.sm}) is not supported by TensorRT-LLM 1.2 (Turing/Volta support ended in 0.14); use A10G, A100, L4, H100 or newer`,
      ),
    );
  }
  if (config.resources.node_count > 1) {
    errors.push(
      planError(
        'MULTI_NODE_NOT_IN_LANE',
        'resources.node_count',
        `node_count ${config.resources.node_count}: the planner's launch configs run on one node (trtllm-serve/Triton on the node's GPUs); multi-node serving is not produced by the pinned lanes`,
      ),
    );
  }
  const v1 = trt.inference_stack === 'v1';
  const laneName = v1 ? 'v1-engine' : 'v2-pytorch';
  const override = v1 ? trt.version_overrides.engine_builder_version : trt.version_overrides.v2_llm_version;
  const overridePath = v1
    ? 'trt_llm.version_overrides.engine_builder_version'
    : 'trt_llm.version_overrides.v2_llm_version';
  const laneResult = resolveLane(laneName, override, overridePath, options?.lanes);
  if ('problems' in laneResult) {
    errors.push(...laneResult.problems.map((p) => planError(p.code, p.path, p.message)));
  }
  const builderGpus = trt.build.num_builder_gpus ?? count;
  const checkpoint = trt.build.checkpoint_repository;
  if (v1 && checkpoint === null) {
    errors.push(
      planError(
        'CHECKPOINT_REQUIRED',
        'trt_llm.build.checkpoint_repository',
        'the v1 stack needs build.checkpoint_repository',
      ),
    );
  }
  const architecture = options?.checkpointArchitecture;
  // An absent architecture has nothing to check: it stands in as a valid name.
  const named = architecture ?? 'LlamaForCausalLM';
  if (!ARCHITECTURE_NAME.test(named)) {
    errors.push(
      planError(
        'ARCHITECTURE_INVALID',
        'options.checkpointArchitecture',
        `${JSON.stringify(named.slice(0, 120))} is not an architecture name such as LlamaForCausalLM`,
      ),
    );
  }
  if (errors.length > 0 || !('lane' in laneResult)) return { errors };
  const lane = laneResult.lane;
  const assumptions: string[] = [...laneResult.notes];
  if (checkpoint && checkpoint.source !== 'HF' && !(trt.inference_stack === 'v2' && trt.build.skip_build_result)) {
    assumptions.push(
      `${checkpoint.source} checkpoint assumed to hold a Hugging Face model directory (config.json, tokenizer, *.safetensors), not a converted TensorRT-LLM checkpoint`,
    );
  }
  const common = {
    builderGpus,
    image: lane.image,
    stepsImage: lane.stepsImage,
    secretNames: config.secretNames,
    options,
    assumptions,
  };
  const result: { body: PlanBody } | { errors: Diagnostic[] } =
    trt.inference_stack === 'v1'
      ? planV1({
          ...common,
          tritonImage: lane.tritonImage,
          cfg: trt,
          checkpoint: checkpoint as NonNullable<typeof checkpoint>,
          gpu,
          architecture,
        })
      : planV2({ ...common, cfg: trt, checkpoint });
  if ('errors' in result) return { errors: result.errors };
  const unhashed: Omit<BuildPlan, 'planHash'> = {
    schemaVersion: 1,
    stack: trt.inference_stack,
    baseModel: trt.build.base_model,
    accelerator: { type, count, sm: gpu.sm },
    builder: { gpuType: type, gpuCount: builderGpus },
    lane,
    workspace: {
      mount: WORKSPACE.mount,
      checkpointDir: WORKSPACE.checkpointDir,
      // Every plan body has its publish step.
      artifactDir: (result.body.steps.find((s) => s.kind === 'publish') as PublishStep).artifactDir,
      launchDir: WORKSPACE.launchDir,
    },
    steps: result.body.steps,
    launch: result.body.launch,
    assumptions: [
      ...assumptions,
      v1
        ? `builds on ${builderGpus} x ${type} (SM ${gpu.sm}), the deployment's GPU type: engines are not portable across SMs`
        : `GPU steps run on ${builderGpus} x ${type} (SM ${gpu.sm}), the deployment's GPU type`,
      `launch configs refer to the published build (artifact/, launch/, tokenizer/) mounted at ${RUNTIME.root}`,
    ],
  };
  return { plan: { ...unhashed, planHash: planHash(unhashed) } };
}
