/** planV2 on its own: the exact steps, launch and assumptions of the PyTorch lane. */
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../orchestrator/config/index.js';
import type { TrtLlmConfigV2 } from '../../../orchestrator/config/schema/trt-llm.js';
import { planV2 } from '../../../orchestrator/plan/plan-v2.js';
import { containerStep, fetchItems, fetchStep, publishStep } from '../../../orchestrator/plan/steps.js';
import { pytorchServeLaunch } from '../../../orchestrator/toolchain/launch-pytorch.js';
import { exportHfCheckpointArgv } from '../../../orchestrator/toolchain/step-scripts.js';
import { V2 } from './fixtures.js';

const OPTIONS = { stepTimeoutSeconds: { fetch: 11, quantize: 33, publish: 55 } };

function v2(text: string): TrtLlmConfigV2 {
  const v = validateConfigText(text);
  if (!v.config || v.config.trtLlm.inference_stack !== 'v2') throw new Error(JSON.stringify(v.errors));
  return v.config.trtLlm;
}

function run(cfg: TrtLlmConfigV2, checkpoint = cfg.build.checkpoint_repository) {
  const assumptions: string[] = [];
  const r = planV2({
    cfg,
    checkpoint,
    builderGpus: 2,
    image: 'img:serve',
    stepsImage: 'img:steps',
    secretNames: ['hf_access_token'],
    options: OPTIONS,
    assumptions,
  });
  return { r, assumptions };
}

/** The launch planV2 must make for `cfg` with `kvCacheDtype`. */
function serve(cfg: TrtLlmConfigV2, kvCacheDtype: 'fp8' | null) {
  const rt = cfg.runtime;
  return pytorchServeLaunch('img:serve', {
    tp: rt.tensor_parallel_size,
    maxBatchSize: rt.max_batch_size,
    maxNumTokens: rt.max_num_tokens,
    maxSeqLen: rt.max_seq_len,
    enableChunkedPrefill: rt.enable_chunked_prefill,
    kvCacheDtype,
    patchKwargs: rt.patch_kwargs,
  });
}

const withQuant = (q: string) =>
  V2.replace('      repo: Qwen/Qwen3-30B-A3B\n', `      repo: Qwen/Qwen3-30B-A3B\n    quantization_type: ${q}\n`);

describe('planV2', () => {
  it('no_quant: fetches the checkpoint alone and publishes it as the artifact', () => {
    const cfg = v2(
      V2.replace(
        '    tensor_parallel_size: 2\n',
        '    tensor_parallel_size: 2\n    max_batch_size: 7\n    max_num_tokens: 999\n    max_seq_len: 4096\n    enable_chunked_prefill: false\n    patch_kwargs: {kv_cache_config: {dtype: fp8}}\n',
      ),
    );
    const { r, assumptions } = run(cfg);
    const checkpoint = cfg.build.checkpoint_repository;
    if (!checkpoint) throw new Error('fixture has a checkpoint');
    const launch = serve(cfg, null);
    expect(r).toEqual({
      body: {
        steps: [
          fetchStep(fetchItems(cfg.build, checkpoint, false, ['hf_access_token']), OPTIONS),
          publishStep('checkpoint', '/workspace/checkpoint', '/workspace/checkpoint', OPTIONS),
        ],
        launch: { 'trtllm-serve': launch.launch },
      },
    });
    expect('body' in r && r.body.steps[0]).toMatchObject({ items: [{ role: 'checkpoint' }] });
    expect(assumptions).toEqual(launch.notes);
  });

  it.each([
    ['fp8_kv', 'fp8', 'calibrate and export a fp8 + fp8 KV ModelOpt unified HF checkpoint for the PyTorch backend'],
    ['fp8', null, 'calibrate and export a fp8 ModelOpt unified HF checkpoint for the PyTorch backend'],
  ] as const)('%s: calibrates and exports a unified HF checkpoint', (type, kv, description) => {
    const cfg = v2(withQuant(type));
    const { r, assumptions } = run(cfg);
    const checkpoint = cfg.build.checkpoint_repository;
    if (!checkpoint) throw new Error('fixture has a checkpoint');
    const quant = {
      qformat: 'fp8',
      kvCacheDtype: kv,
      calibSize: 1024,
      calibMaxSeqLength: 1536,
      calibDatasetDir: '/workspace/calibration/cnn_dailymail',
    } as const;
    const launch = serve(cfg, kv);
    expect(r).toEqual({
      body: {
        steps: [
          fetchStep(fetchItems(cfg.build, checkpoint, true, ['hf_access_token']), OPTIONS),
          containerStep(
            'quantize',
            'img:steps',
            exportHfCheckpointArgv(quant, '/workspace/quantized_checkpoint'),
            2,
            {
              inputs: ['/workspace/checkpoint', '/workspace/calibration/cnn_dailymail'],
              outputs: ['/workspace/quantized_checkpoint'],
              description,
            },
            OPTIONS,
          ),
          publishStep('checkpoint', '/workspace/quantized_checkpoint', '/workspace/checkpoint', OPTIONS),
        ],
        launch: { 'trtllm-serve': launch.launch },
      },
    });
    expect('body' in r && r.body.steps[0]).toMatchObject({
      items: [{ role: 'checkpoint' }, { role: 'calibration_dataset' }],
    });
    expect(assumptions).toEqual([
      'quantized checkpoint exported unsharded; the PyTorch backend shards it at load time (tensor_parallel_size 2)',
      ...launch.notes,
    ]);
  });

  const SKIP =
    'build.skip_build_result: the model is supplied another way; launch configs expect it at /models/artifact';

  it('skip_build_result, even with a checkpoint: publishes the launch configs only', () => {
    const cfg = v2(V2.replace('  runtime:\n', '    skip_build_result: true\n  runtime:\n'));
    expect(cfg.build.checkpoint_repository).not.toBeNull();
    const { r, assumptions } = run(cfg);
    const launch = serve(cfg, null);
    expect(r).toEqual({
      body: {
        steps: [publishStep('none', '/workspace/launch', null, OPTIONS)],
        launch: { 'trtllm-serve': launch.launch },
      },
    });
    expect(assumptions).toEqual([SKIP, ...launch.notes]);
  });

  it('no checkpoint (past validation only with skip_build_result): the same', () => {
    const cfg = v2(V2);
    const { r, assumptions } = run(cfg, null);
    expect(r).toEqual({
      body: {
        steps: [publishStep('none', '/workspace/launch', null, OPTIONS)],
        launch: { 'trtllm-serve': serve(cfg, null).launch },
      },
    });
    expect(assumptions[0]).toBe(SKIP);
  });

  it('notes that served_model_name has no trtllm-serve flag', () => {
    const cfg = v2(
      V2.replace('    tensor_parallel_size: 2\n', '    tensor_parallel_size: 2\n    served_model_name: mine\n'),
    );
    const { assumptions } = run(cfg);
    expect(assumptions).toEqual([
      ...serve(cfg, null).notes,
      'runtime.served_model_name has no TensorRT-LLM 1.2 trtllm-serve flag; it is not in the launch config',
    ]);
  });

  it('a quantization the lane cannot produce: the error, no plan body', () => {
    const cfg = v2(withQuant('fp4_mlp_only').replace('H200:2', 'B200:2'));
    const { r, assumptions } = run(cfg);
    expect(r).toEqual({ errors: [expect.objectContaining({ code: 'QUANTIZATION_NOT_IN_LANE' })] });
    expect(assumptions).toEqual([]);
  });
});
