/** Config texts for planner tests: a small v1 decoder and a v2 config, edited per test. */
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { PlannerOptions } from '../../../orchestrator/plan/planner-options.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';

export const V1 = `model_name: base
resources:
  accelerator: H100
  use_gpu: true
secrets:
  hf_access_token: null
model_metadata:
  tags: [openai-compatible]
trt_llm:
  build:
    checkpoint_repository:
      source: HF
      repo: meta-llama/Llama-3.1-8B-Instruct
      revision: main
    max_batch_size: 64
    quantization_type: fp8
    num_builder_gpus: 1
`;

export const V2 = `model_name: v2
resources:
  accelerator: H200:2
secrets:
  hf_access_token: null
trt_llm:
  inference_stack: v2
  build:
    checkpoint_repository:
      source: HF
      repo: Qwen/Qwen3-30B-A3B
  runtime:
    tensor_parallel_size: 2
`;

/** Plans `text`; throws with the diagnostics when there is no plan. */
export function plan(text: string, options?: PlannerOptions): BuildPlan {
  const r = planConfigText(text, options);
  if (!r.plan) throw new Error(`no plan: ${JSON.stringify(r.errors)}`);
  return r.plan;
}

/** The diagnostics of a config that must not plan. */
export function planErrors(text: string, options?: PlannerOptions) {
  const r = planConfigText(text, options);
  if (r.plan) throw new Error('expected plan errors');
  return r.errors;
}

/** Finds a step's argv. */
export function argvOf(p: BuildPlan, id: string): readonly string[] {
  const step = p.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id}`);
  return step.argv;
}

/** The value after `flag` in an argv. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}
