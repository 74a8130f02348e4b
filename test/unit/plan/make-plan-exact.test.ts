/** makePlan: the exact errors, top-level fields and assumptions of a plan. */
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import { makePlan, type PlanInput } from '../../../orchestrator/plan/make-plan.js';
import { V1, V2 } from './fixtures.js';
import { planErrorRow } from './plan-error-row.js';

function input(text: string): PlanInput {
  const v = validateConfigText(text);
  if (!v.config) throw new Error(JSON.stringify(v.errors));
  return v.config;
}
const err = planErrorRow;
const BERT = `resources:\n  accelerator: L4\ntrt_llm:\n  build:\n    base_model: encoder_bert\n    checkpoint_repository: {source: HF, repo: BAAI/bge-large-en-v1.5}\n`;

describe('makePlan errors', () => {
  it('a GPU TensorRT-LLM 1.2 does not support', () =>
    expect(makePlan(input(BERT.replace('L4', 'T4')))).toEqual({
      errors: [
        err(
          'GPU_NOT_IN_LANE',
          'resources.accelerator',
          'T4 (SM 75) is not supported by TensorRT-LLM 1.2 (Turing/Volta support ended in 0.14); use A10G, A100, L4, H100 or newer',
        ),
      ],
    }));

  it('more than one node', () => {
    const c = input(
      V2.replace('tensor_parallel_size: 2', 'tensor_parallel_size: 4').replace(
        '  accelerator: H200:2\n',
        '  accelerator: H200:2\n  node_count: 2\n',
      ),
    );
    expect(makePlan(c)).toEqual({
      errors: [
        err(
          'MULTI_NODE_NOT_IN_LANE',
          'resources.node_count',
          "node_count 2: the planner's launch configs run on one node (trtllm-serve/Triton on the node's GPUs); multi-node serving is not produced by the pinned lanes",
        ),
      ],
    });
    expect(makePlan({ ...c, resources: { ...c.resources, node_count: 1 } })).toHaveProperty('plan');
  });

  it('each stack reads its own version override', () => {
    const v1 = input(`${V1}  version_overrides:\n    engine_builder_version: 0.20.0\n    v2_llm_version: 1.2.1\n`);
    expect(makePlan(v1)).toEqual({
      errors: [
        expect.objectContaining({
          code: 'VERSION_OVERRIDE_OUTSIDE_LANE',
          path: 'trt_llm.version_overrides.engine_builder_version',
        }),
      ],
    });
    const v2 = input(`${V2}  version_overrides:\n    engine_builder_version: 1.2.1\n    v2_llm_version: 0.20.0\n`);
    expect(makePlan(v2)).toEqual({
      errors: [expect.objectContaining({ path: 'trt_llm.version_overrides.v2_llm_version' })],
    });
  });

  it('a service lane pin', () =>
    expect(makePlan(input(V1), { lanes: { v1: { digest: 'sha256:xyz' } } })).toEqual({
      errors: [expect.objectContaining({ code: 'LANE_PIN_INVALID', path: 'options.lanes.v1.digest' })],
    }));

  it('a v1 config without a checkpoint', () => {
    const c = input(V1);
    expect(
      makePlan({ ...c, trtLlm: { ...c.trtLlm, build: { ...c.trtLlm.build, checkpoint_repository: null } } }),
    ).toEqual({
      errors: [
        err(
          'CHECKPOINT_REQUIRED',
          'trt_llm.build.checkpoint_repository',
          'the v1 stack needs build.checkpoint_repository',
        ),
      ],
    });
  });

  it('an architecture that is not a name, quoted and cut at 120 characters', () => {
    expect(makePlan(input(V1), { checkpointArchitecture: `x y${'z'.repeat(200)}` })).toEqual({
      errors: [
        err(
          'ARCHITECTURE_INVALID',
          'options.checkpointArchitecture',
          `${JSON.stringify(`x y${'z'.repeat(117)}`)} is not an architecture name such as LlamaForCausalLM`,
        ),
      ],
    });
    expect(makePlan(input(V1), { checkpointArchitecture: 'LlamaForCausalLM' })).toHaveProperty('plan');
  });

  it('the planner errors of the stack', () =>
    expect(
      makePlan(
        input(
          V1.replace('num_builder_gpus: 1', 'num_builder_gpus: 1\n    strongly_typed: true').replace(
            'quantization_type: fp8',
            'quantization_type: no_quant',
          ),
        ),
      ),
    ).toEqual({
      errors: [expect.objectContaining({ code: 'STRONGLY_TYPED_NOT_IN_LANE' })],
    }));
});

describe('makePlan plans', () => {
  const planOf = (c: PlanInput, options?: Parameters<typeof makePlan>[1]) => {
    const r = makePlan(c, options);
    if (!('plan' in r)) throw new Error(JSON.stringify(r.errors));
    return r.plan;
  };

  it('v1: the target, builders, workspace and closing assumptions', () => {
    const p = planOf(
      input(
        V1.replace('accelerator: H100', 'accelerator: H100:2').replace(
          'num_builder_gpus: 1',
          'num_builder_gpus: 1\n    tensor_parallel_count: 2',
        ),
      ),
    );
    expect(p).toMatchObject({
      schemaVersion: 1,
      stack: 'v1',
      baseModel: 'decoder',
      accelerator: { type: 'H100', count: 2, sm: 90 },
      builder: { gpuType: 'H100', gpuCount: 1 },
      workspace: {
        mount: '/workspace',
        checkpointDir: '/workspace/checkpoint',
        artifactDir: '/workspace/engine',
        launchDir: '/workspace/launch',
      },
    });
    expect(p.lane.name).toBe('v1-engine');
    expect(p.assumptions.slice(-2)).toEqual([
      "builds on 1 x H100 (SM 90), the deployment's GPU type: engines are not portable across SMs",
      'launch configs refer to the published build (artifact/, launch/, tokenizer/) mounted at /models',
    ]);
    expect(p.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('builders default to the deployment GPU count', () =>
    expect(
      planOf(
        input(
          V1.replace('accelerator: H100', 'accelerator: H100:2').replace(
            'num_builder_gpus: 1',
            'tensor_parallel_count: 2',
          ),
        ),
      ).builder,
    ).toEqual({
      gpuType: 'H100',
      gpuCount: 2,
    }));

  it('v2: the lane, the artifact dir of the publish step, and its own closing note', () => {
    const p = planOf(input(V2));
    expect(p).toMatchObject({ stack: 'v2', workspace: { artifactDir: '/workspace/checkpoint' } });
    expect(p.lane.name).toBe('v2-pytorch');
    expect(p.assumptions.slice(-2)).toEqual([
      "GPU steps run on 2 x H200 (SM 90), the deployment's GPU type",
      'launch configs refer to the published build (artifact/, launch/, tokenizer/) mounted at /models',
    ]);
  });

  const S3 = (text: string) =>
    text.replace(
      'source: HF\n      repo: meta-llama/Llama-3.1-8B-Instruct',
      'source: S3\n      repo: s3://bucket/llama',
    );
  const NOTE =
    'S3 checkpoint assumed to hold a Hugging Face model directory (config.json, tokenizer, *.safetensors), not a converted TensorRT-LLM checkpoint';

  it('a non-HF checkpoint is assumed to be a Hugging Face directory', () => {
    expect(planOf(input(S3(V1))).assumptions).toContain(NOTE);
    expect(planOf(input(V1)).assumptions.some((a) => a.includes('assumed to hold'))).toBe(false);
  });

  it('not on v2 with skip_build_result, where nothing is fetched', () => {
    const v2 = V2.replace('source: HF\n      repo: Qwen/Qwen3-30B-A3B', 'source: S3\n      repo: s3://bucket/llama');
    expect(planOf(input(v2)).assumptions).toContain(NOTE);
    expect(
      planOf(input(v2.replace('  runtime:\n', '    skip_build_result: true\n  runtime:\n'))).assumptions,
    ).not.toContain(NOTE);
  });

  it('v1 ignores skip_build_result: it fetches, so the note stays', () => {
    const c = input(S3(V1));
    const skip = { ...c, trtLlm: { ...c.trtLlm, build: { ...c.trtLlm.build, skip_build_result: true } } };
    expect(planOf(skip).assumptions).toContain(NOTE);
  });

  it('the lane notes come first', () => {
    const p = planOf(input(V1), { lanes: { triton: null } });
    expect(p.assumptions[0]).toBe(
      'no Triton launch: the service configures no Triton runtime image (options.lanes.triton is null)',
    );
    expect(Object.keys(p.launch)).toEqual(['trtllm-serve']);
  });

  it('v2 without an artifact: the launch dir is the artifact dir', () => {
    const p = planOf(input(V2.replace('  runtime:\n', '    skip_build_result: true\n  runtime:\n')));
    expect(p.workspace.artifactDir).toBe('/workspace/launch');
  });
});
