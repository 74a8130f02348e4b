/**
 * The v2 PyTorch lane: no engine. The checkpoint is mirrored (no_quant) or calibrated and exported
 * as a ModelOpt unified HF checkpoint by the project's `export_hf_checkpoint.py` (fp8 / fp4
 * family; `trtllm-serve --backend pytorch` loads HF-format checkpoints, not the TensorRT-LLM
 * checkpoints quantize.py writes), then served by `trtllm-serve --backend pytorch`. An FP8 KV
 * cache is a runtime setting (`kv_cache_config.dtype: fp8`).
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { TrtLlmConfigV2 } from '../config/schema/trt-llm.js';
import type { CheckpointRepository } from '../config/schema/checkpoint.js';
import { RUNTIME, WORKSPACE } from '../toolchain/layout.js';
import { pytorchServeLaunch } from '../toolchain/launch-pytorch.js';
import { exportHfCheckpointArgv } from '../toolchain/step-scripts.js';
import { deriveQuant } from './derive-engine.js';
import type { PlanBody } from './plan-v1.js';
import type { PlannerOptions } from './planner-options.js';
import { containerStep, fetchItems, fetchStep, publishStep } from './steps.js';
import type { PlanStep } from './types.js';

/** Workspace dir of the quantized (unified HF) checkpoint the PyTorch backend loads. */
export const QUANTIZED_CHECKPOINT_DIR = WORKSPACE.hfQuantizedDir;

interface Ctx {
  readonly cfg: TrtLlmConfigV2;
  readonly checkpoint: CheckpointRepository | null;
  readonly builderGpus: number;
  readonly image: string;
  /** The lane image plus the project's step scripts: runs the HF-checkpoint export. */
  readonly stepsImage: string;
  readonly secretNames: readonly string[];
  readonly options: PlannerOptions | undefined;
  readonly assumptions: string[];
}

/** The v2 plan body. */
export function planV2(ctx: Ctx): { body: PlanBody } | { errors: Diagnostic[] } {
  const { cfg, options, assumptions } = ctx;
  const { quant, errors } = deriveQuant(cfg.build);
  if (errors.length > 0) return { errors };
  const rt = cfg.runtime;
  const steps: PlanStep[] = [];
  let artifact: { kind: 'checkpoint' | 'none'; dir: string } = { kind: 'none', dir: WORKSPACE.launchDir };
  if (cfg.build.skip_build_result || ctx.checkpoint === null) {
    assumptions.push(
      `build.skip_build_result: the model is supplied another way; launch configs expect it at ${RUNTIME.checkpointDir}`,
    );
  } else {
    steps.push(fetchStep(fetchItems(cfg.build, ctx.checkpoint, quant !== null, ctx.secretNames), options));
    if (quant) {
      steps.push(
        containerStep(
          'quantize',
          ctx.stepsImage,
          exportHfCheckpointArgv(quant, QUANTIZED_CHECKPOINT_DIR),
          ctx.builderGpus,
          {
            inputs: [WORKSPACE.checkpointDir, quant.calibDatasetDir],
            outputs: [QUANTIZED_CHECKPOINT_DIR],
            description: `calibrate and export a ${quant.qformat}${quant.kvCacheDtype ? ` + ${quant.kvCacheDtype} KV` : ''} ModelOpt unified HF checkpoint for the PyTorch backend`,
          },
          options,
        ),
      );
      assumptions.push(
        `quantized checkpoint exported unsharded; the PyTorch backend shards it at load time (tensor_parallel_size ${rt.tensor_parallel_size})`,
      );
      artifact = { kind: 'checkpoint', dir: QUANTIZED_CHECKPOINT_DIR };
    } else {
      artifact = { kind: 'checkpoint', dir: WORKSPACE.checkpointDir };
    }
  }
  steps.push(
    publishStep(artifact.kind, artifact.dir, artifact.kind === 'none' ? null : WORKSPACE.checkpointDir, options),
  );
  const { launch, notes } = pytorchServeLaunch(ctx.image, {
    tp: rt.tensor_parallel_size,
    maxBatchSize: rt.max_batch_size,
    maxNumTokens: rt.max_num_tokens,
    maxSeqLen: rt.max_seq_len,
    enableChunkedPrefill: rt.enable_chunked_prefill,
    kvCacheDtype: quant?.kvCacheDtype ?? null,
    patchKwargs: rt.patch_kwargs,
  });
  assumptions.push(...notes);
  if (rt.served_model_name !== null) {
    assumptions.push(
      'runtime.served_model_name has no TensorRT-LLM 1.2 trtllm-serve flag; it is not in the launch config',
    );
  }
  return { body: { steps, launch: { 'trtllm-serve': launch } } };
}
