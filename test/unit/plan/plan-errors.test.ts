/** Features the pinned lanes cannot produce are plan errors that say so, with the config position. */
import { describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { makePlan } from '../../../orchestrator/plan/make-plan.js';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import { V1, V2, planErrors } from './fixtures.js';

const BERT = `resources:
  accelerator: L4
trt_llm:
  build:
    base_model: encoder_bert
    checkpoint_repository: {source: HF, repo: BAAI/bge-large-en-v1.5}
`;

describe('plan errors', () => {
  it('fp4_mlp_only has no quantize.py format in 1.2', () => {
    const [e, ...rest] = planErrors(
      V1.replace('accelerator: H100', 'accelerator: B200').replace(
        'quantization_type: fp8',
        'quantization_type: fp4_mlp_only',
      ),
    );
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      code: 'QUANTIZATION_NOT_IN_LANE',
      path: 'trt_llm.build.quantization_type',
      severity: 'error',
      line: 16,
    });
    expect(e?.message).toMatch(/no MLP-only format/);
  });

  it('a v1 version override outside 1.2.x', () => {
    const [e] = planErrors(`${V1}  version_overrides:\n    engine_builder_version: 0.20.0.post13.dev3\n`);
    expect(e).toMatchObject({
      code: 'VERSION_OVERRIDE_OUTSIDE_LANE',
      path: 'trt_llm.version_overrides.engine_builder_version',
      line: 19,
    });
  });

  it('a v2 version override without a TensorRT-LLM version', () => {
    const [e] = planErrors(`${V2}  version_overrides:\n    v2_llm_version: trtllm-gpu-1a74135-ce41f06c\n`);
    expect(e).toMatchObject({ code: 'VERSION_OVERRIDE_UNPARSEABLE', path: 'trt_llm.version_overrides.v2_llm_version' });
  });

  it('an invalid service lane pin (no config position)', () => {
    const [e] = planErrors(V1, { lanes: { v1: { digest: 'sha256:xyz' } } });
    expect(e).toMatchObject({ code: 'LANE_PIN_INVALID', path: 'options.lanes.v1.digest', line: 1, column: 1 });
  });

  it('encoder_bert on T4 passes Truss but TensorRT-LLM 1.2 has no Turing support', () => {
    const [e] = planErrors(BERT.replace('L4', 'T4'));
    expect(e).toMatchObject({ code: 'GPU_NOT_IN_LANE', path: 'resources.accelerator' });
  });

  it('encoder_bert quantization', () => {
    const [e] = planErrors(
      BERT.replace('repo: BAAI/bge-large-en-v1.5}', 'repo: BAAI/bge-large-en-v1.5}\n    quantization_type: fp8'),
    );
    expect(e).toMatchObject({ code: 'ENCODER_BERT_QUANTIZATION_NOT_IN_LANE' });
  });

  it('encoder_bert token classification', () => {
    const [e] = planErrors(`${BERT}  runtime:\n    webserver_default_route: /predict_tokens\n`);
    expect(e).toMatchObject({
      code: 'ENCODER_BERT_ROUTE_NOT_IN_LANE',
      path: 'trt_llm.runtime.webserver_default_route',
      line: 8,
    });
  });

  it('encoder_bert beyond TP 2', () => {
    const [e] = planErrors(
      BERT.replace('L4', 'L4:4').replace(
        'base_model: encoder_bert',
        'base_model: encoder_bert\n    tensor_parallel_count: 4',
      ),
    );
    expect(e).toMatchObject({ code: 'ENCODER_BERT_PARALLEL_NOT_IN_LANE' });
  });

  it('an unknown LoRA target module', () => {
    const lora = V1.replace('accelerator: H100', 'accelerator: A100')
      .replace('quantization_type: fp8', 'quantization_type: no_quant')
      .concat(
        '    lora_adapters:\n      a: {source: HF, repo: org/a}\n    lora_configuration:\n      lora_target_modules: [q_proj, attention]\n',
      );
    const [e, ...rest] = planErrors(lora);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      code: 'LORA_TARGET_MODULE_UNKNOWN',
      path: 'trt_llm.build.lora_configuration.lora_target_modules.1',
    });
  });

  it('sequence parallelism', () => {
    const [e] = planErrors(
      V1.replace('accelerator: H100', 'accelerator: H100:2').replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    sequence_parallel_count: 2',
      ),
    );
    expect(e).toMatchObject({ code: 'SEQUENCE_PARALLEL_NOT_IN_LANE' });
  });

  it('expert parallelism together with quantize.py', () => {
    const [e] = planErrors(
      V1.replace('accelerator: H100', 'accelerator: H100:2').replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    tensor_parallel_count: 2\n    moe_expert_parallel_option: 2',
      ),
    );
    expect(e).toMatchObject({ code: 'MOE_EXPERT_PARALLEL_NOT_IN_LANE' });
  });

  it('expert parallelism that does not divide TP', () => {
    const cfg = V1.replace('accelerator: H100', 'accelerator: H100:4')
      .replace('quantization_type: fp8', 'quantization_type: no_quant')
      .replace(
        'num_builder_gpus: 1',
        'num_builder_gpus: 1\n    tensor_parallel_count: 4\n    moe_expert_parallel_option: 3',
      );
    expect(planConfigText(cfg).errors.map((e) => e.code)).toContain('MOE_EXPERT_PARALLEL_NOT_DIVISIBLE');
  });

  it('all-token logits together with lookahead', () => {
    const cfg = V1.replace(
      'num_builder_gpus: 1',
      'num_builder_gpus: 1\n    gather_all_token_logits: true\n    speculator:\n      speculative_decoding_mode: LOOKAHEAD_DECODING\n      lookahead_windows_size: 4\n      lookahead_ngram_size: 3\n      lookahead_verification_set_size: 3',
    );
    expect(planErrors(cfg).map((e) => e.code)).toEqual(['LOGITS_WITH_SPECULATION']);
  });

  it('strongly_typed without FP8', () => {
    const cfg = V1.replace('quantization_type: fp8', 'quantization_type: no_quant\n    strongly_typed: true');
    expect(planErrors(cfg).map((e) => e.code)).toEqual(['STRONGLY_TYPED_NOT_IN_LANE']);
  });

  it('reports several problems at once', () => {
    const cfg = `${V1.replace('accelerator: H100', 'accelerator: B200:2').replace('quantization_type: fp8', 'quantization_type: fp4_mlp_only').replace('num_builder_gpus: 1', 'num_builder_gpus: 1\n    tensor_parallel_count: 1\n    sequence_parallel_count: 2')}`;
    expect(
      planErrors(cfg)
        .map((e) => e.code)
        .sort(),
    ).toEqual(['QUANTIZATION_NOT_IN_LANE', 'SEQUENCE_PARALLEL_NOT_IN_LANE']);
  });
});

describe('planConfigText on hostile input', () => {
  it.each([
    ['not text', 42 as unknown as string],
    ['empty', ''],
    ['a list', '- 1\n- 2\n'],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['huge', `model_name: ${'x'.repeat(2 * 1024 * 1024)}\n`],
    ['a .. adapter name', V1.concat('    lora_adapters:\n      "..": {source: HF, repo: org/a}\n')],
  ])('%s: answers with diagnostics or a safe plan, never throws', (_what, text) => {
    const r = planConfigText(text);
    expect(typeof r.valid).toBe('boolean');
    if (r.plan)
      for (const s of r.plan.steps) for (const p of [...s.inputs, ...s.outputs]) expect(p).not.toMatch(/\/\.\.(\/|$)/);
    else expect(r.errors.length).toBeGreaterThan(0);
  });

  it('makePlan reports a v1 config without a checkpoint instead of throwing', () => {
    const valid = validateConfigText(V1).config;
    if (!valid || valid.trtLlm.inference_stack !== 'v1') throw new Error('fixture must validate');
    const r = makePlan({
      ...valid,
      trtLlm: { ...valid.trtLlm, build: { ...valid.trtLlm.build, checkpoint_repository: null } },
    });
    expect(r).toEqual({ errors: [expect.objectContaining({ code: 'CHECKPOINT_REQUIRED' })] });
  });
});

describe('plan errors: resources', () => {
  it('multi-node deployments', () => {
    const r = planConfigText(
      V2.replace('  accelerator: H200:2\n', '  accelerator: H200:2\n  node_count: 2\n').replace(
        'tensor_parallel_size: 2',
        'tensor_parallel_size: 4',
      ),
    );
    if (r.valid) throw new Error('expected an error');
    expect(r.errors.map((e) => e.code)).toContain('MULTI_NODE_NOT_IN_LANE');
  });
});
