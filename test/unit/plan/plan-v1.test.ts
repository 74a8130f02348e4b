/** planV1 on its own: step descriptions and inputs, launches, errors and assumptions of the engine lane. */
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { TrtLlmConfigV1 } from '../../../orchestrator/config/schema/trt-llm.js';
import { gpuInfo } from '../../../orchestrator/gpu/catalog.js';
import { planV1 } from '../../../orchestrator/plan/plan-v1.js';
import type { ContainerStep } from '../../../orchestrator/plan/types.js';
import { encoderLaunch } from '../../../orchestrator/toolchain/launch-encoder.js';
import { flagValue } from './fixtures.js';
import { planErrorRow } from './plan-error-row.js';

type Build = TrtLlmConfigV1['build'];
type Runtime = TrtLlmConfigV1['runtime'];

function cfg(build: string, repo = 'meta-llama/Llama-3.1-8B-Instruct'): TrtLlmConfigV1 {
  const text = `resources:\n  accelerator: H100\ntrt_llm:\n  build:\n    checkpoint_repository: {source: HF, repo: ${repo}}\n${build}`;
  const v = validateConfigText(text);
  if (!v.config || v.config.trtLlm.inference_stack !== 'v1') throw new Error(JSON.stringify(v.errors));
  return v.config.trtLlm;
}
const edit = (c: TrtLlmConfigV1, build: Partial<Build> = {}, runtime: Partial<Runtime> = {}): TrtLlmConfigV1 => ({
  ...c,
  build: { ...c.build, ...build },
  runtime: { ...c.runtime, ...runtime },
});

const NO_QUANT = '    quantization_type: no_quant\n';
const BERT_REPO = 'org/some-model';
const bert = (build: Partial<Build> = {}, runtime: Partial<Runtime> = {}) =>
  edit(cfg('    base_model: encoder_bert\n', BERT_REPO), build, runtime);
const encoder = (runtime: Partial<Runtime> = {}) =>
  edit(cfg(`${NO_QUANT}    base_model: encoder\n    max_num_tokens: 16384\n`), {}, runtime);

function run(
  c: TrtLlmConfigV1,
  {
    builderGpus = 1,
    tritonImage = 'img:triton',
    architecture,
  }: { builderGpus?: number; tritonImage?: string | null; architecture?: string } = {},
) {
  const assumptions: string[] = [];
  const r = planV1({
    cfg: c,
    checkpoint: c.build.checkpoint_repository as NonNullable<Build['checkpoint_repository']>,
    gpu: gpuInfo('H100'),
    builderGpus,
    image: 'img:lane',
    stepsImage: 'img:steps',
    tritonImage,
    secretNames: [],
    options: undefined,
    assumptions,
    architecture,
  });
  return { r, assumptions, body: 'body' in r ? r.body : undefined, errors: 'errors' in r ? r.errors : [] };
}
const step = (body: { steps: readonly { id: string }[] } | undefined, id: string) =>
  body?.steps.find((s) => s.id === id) as ContainerStep | undefined;

describe('planV1: decoders', () => {
  it('engine ranks TP x PP, SM and workers in the build step', () => {
    const { body } = run(edit(cfg(NO_QUANT), { tensor_parallel_count: 2, pipeline_parallel_count: 3 }), {
      builderGpus: 4,
    });
    expect(step(body, 'engine_build')).toMatchObject({
      description: 'build 6 engine rank(s) for SM 90 with 4 worker(s)',
      inputs: ['/workspace/trtllm_checkpoint'],
      outputs: ['/workspace/engine'],
    });
    expect(step(body, 'convert')).toMatchObject({
      description: 'convert the llama checkpoint to a TensorRT-LLM checkpoint, TP 2',
      inputs: ['/workspace/checkpoint'],
    });
  });

  it('a family without a converter: exported in its own precision through ModelOpt', () => {
    const { body } = run(cfg(NO_QUANT, 'org/model'));
    expect(step(body, 'quantize')).toMatchObject({
      description: 'export the checkpoint in its own precision through ModelOpt (full_prec), TP 1',
      inputs: ['/workspace/checkpoint'],
      outputs: ['/workspace/trtllm_checkpoint'],
    });
  });

  it('a Triton launch only with a Triton image', () => {
    expect(Object.keys(run(cfg(NO_QUANT)).body?.launch ?? {})).toEqual(['trtllm-serve', 'triton']);
    expect(Object.keys(run(cfg(NO_QUANT), { tritonImage: null }).body?.launch ?? {})).toEqual(['trtllm-serve']);
  });

  it('notes each Briton runtime setting with no trtllm-serve/Triton equivalent, none by default', () => {
    const note = (key: string) =>
      `runtime.${key} has no TensorRT-LLM 1.2 trtllm-serve/Triton equivalent; it is not in the launch configs`;
    const set = run(
      edit(cfg(NO_QUANT), {}, { served_model_name: 'm', request_default_max_tokens: 9, total_token_limit: 1 }),
    );
    expect(set.assumptions.filter((a) => a.startsWith('runtime.'))).toEqual([
      note('served_model_name'),
      note('request_default_max_tokens'),
      note('total_token_limit'),
    ]);
    expect(
      run(edit(cfg(NO_QUANT), {}, { total_token_limit: 1 })).assumptions.filter((a) => a.startsWith('runtime.')),
    ).toEqual([note('total_token_limit')]);
    expect(run(cfg(NO_QUANT)).assumptions.filter((a) => a.startsWith('runtime.'))).toEqual([]);
  });
});

describe('planV1: settings errors', () => {
  it('the engine settings errors, no plan body', () =>
    expect(run(edit(cfg(NO_QUANT), { sequence_parallel_count: 2 })).r).toEqual({
      errors: [expect.objectContaining({ code: 'SEQUENCE_PARALLEL_NOT_IN_LANE' })],
    }));
});

describe('planV1: causal encoders', () => {
  const launchFor = (route: '/v1/embeddings' | '/predict' | '/rerank') =>
    encoderLaunch({ kind: 'encoder', route, maxBatchSize: 256, maxNumTokens: 16384, maxSeqLen: null }, 'img:steps');

  it('the configured route, no note', () => {
    const { body, assumptions } = run(encoder({ webserver_default_route: '/rerank' }));
    expect(body?.launch).toEqual({ encoder: launchFor('/rerank') });
    expect(assumptions.filter((a) => a.includes('webserver_default_route'))).toEqual([]);
  });
  it.each([
    ['BertForSequenceClassification', '/predict'],
    ['Qwen2Model', '/v1/embeddings'],
  ] as const)('from the architecture %s: %s', (architecture, route) => {
    const { body, assumptions } = run(encoder(), { architecture });
    expect(body?.launch).toEqual({ encoder: launchFor(route) });
    expect(assumptions.filter((a) => a.includes('webserver_default_route'))).toEqual([
      `runtime.webserver_default_route not set: ${route} for architecture ${architecture}`,
    ]);
  });
  it('offline: /v1/embeddings', () => {
    const { body, assumptions } = run(encoder());
    expect(body?.launch).toEqual({ encoder: launchFor('/v1/embeddings') });
    expect(assumptions.filter((a) => a.includes('webserver_default_route'))).toEqual([
      'runtime.webserver_default_route not set: /v1/embeddings (the architecture in config.json is not read offline)',
    ]);
  });
  it('token classification has no server', () =>
    expect(run(encoder({ webserver_default_route: '/predict_tokens' })).r).toEqual({
      errors: [
        {
          code: 'ENCODER_ROUTE_NOT_SERVED',
          severity: 'error',
          path: 'trt_llm.runtime.webserver_default_route',
          message:
            'the encoder server serves /v1/embeddings, /predict and /rerank; token classification (/predict_tokens) has no server for a TensorRT engine in the pinned lane',
          line: 1,
          column: 1,
        },
      ],
    }));
});

describe('planV1: encoder_bert', () => {
  const err = planErrorRow;
  const QUANT = err(
    'ENCODER_BERT_QUANTIZATION_NOT_IN_LANE',
    'trt_llm.build.quantization_type',
    'the pinned BERT converter has no calibrated quantization (fp8); use no_quant for encoder_bert',
  );
  const PARALLEL = err(
    'ENCODER_BERT_PARALLEL_NOT_IN_LANE',
    'trt_llm.build.tensor_parallel_count',
    'the pinned BERT converter supports tensor parallel 1 or 2 and no pipeline parallelism',
  );
  const ROUTE = err(
    'ENCODER_BERT_ROUTE_NOT_IN_LANE',
    'trt_llm.runtime.webserver_default_route',
    'token classification (/predict_tokens) has no model class in the pinned BERT converter (BertModel, Bert/RobertaForSequenceClassification, …QuestionAnswering)',
  );
  const LORA = err(
    'LORA_NOT_FOR_ENCODER',
    'trt_llm.build.lora_adapters',
    'LoRA adapters are served by decoders only; remove lora_adapters for base_model encoder_bert',
  );
  const adapters = { a: { source: 'HF', repo: 'org/a' } } as unknown as Build['lora_adapters'];

  it('every problem at once', () =>
    expect(
      run(
        bert(
          { quantization_type: 'fp8', tensor_parallel_count: 3, lora_adapters: adapters },
          { webserver_default_route: '/predict_tokens' },
        ),
        { architecture: 'LlamaForCausalLM' },
      ).r,
    ).toEqual({
      errors: [
        QUANT,
        PARALLEL,
        ROUTE,
        LORA,
        err(
          'ENCODER_BERT_ARCHITECTURE_NOT_IN_LANE',
          'trt_llm.build.base_model',
          'architecture LlamaForCausalLM has no class in the pinned BERT converter (BertModel, RobertaModel, Bert/RobertaForSequenceClassification)',
        ),
      ],
    }));
  it.each([
    [{ quantization_type: 'fp8' }, {}, QUANT],
    [{ pipeline_parallel_count: 2 }, {}, PARALLEL],
    [{ tensor_parallel_count: 3 }, {}, PARALLEL],
    [{ lora_adapters: adapters }, {}, LORA],
    [{}, { webserver_default_route: '/predict_tokens' }, ROUTE],
  ] as const)('%j %j alone', (build, runtime, error) =>
    expect(run(bert(build as Partial<Build>, runtime as Partial<Runtime>)).r).toEqual({ errors: [error] }),
  );

  it('TP 2 and no adapters are fine', () => {
    const { body, errors } = run(bert({ tensor_parallel_count: 2, lora_adapters: {} }), {
      builderGpus: 4,
    });
    expect(errors).toEqual([]);
    expect(flagValue(step(body, 'engine_build')?.argv ?? [], '--workers')).toBe('2');
    expect(step(body, 'convert')?.description).toBe('convert the checkpoint as BertModel (float16), TP 2');
  });

  it.each([
    [1, 2, '1'],
    [0, 1, '1'],
    [4, 2, '2'],
  ])('%i builder GPUs, TP %i: %s workers', (builderGpus, tp, workers) =>
    expect(
      flagValue(
        step(run(bert({ tensor_parallel_count: tp }), { builderGpus }).body, 'engine_build')?.argv ?? [],
        '--workers',
      ),
    ).toBe(workers),
  );

  it('the class from a known architecture, over the repo name and route', () => {
    const { body, assumptions } = run(bert(), { architecture: 'RobertaModel' });
    expect(step(body, 'convert')?.description).toBe('convert the checkpoint as RobertaModel (float16), TP 1');
    expect(assumptions).toContain('BERT converter --model RobertaModel: checkpoint architecture RobertaModel');
  });

  it('else the class guessed from the repo name and route', () => {
    const { assumptions } = run(bert());
    expect(assumptions).toContain(
      `BERT converter --model BertModel: assumed "${BERT_REPO}" is a BERT model used as an embedding model (route /v1/embeddings)`,
    );
  });
});
