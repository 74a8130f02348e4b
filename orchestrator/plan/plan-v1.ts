/** Steps and launch configs of the v1 engine lane: decoder, encoder (causal) and encoder_bert. */
import type { Diagnostic } from '../config/diagnostic.js';
import type { TrtLlmConfigV1 } from '../config/schema/trt-llm.js';
import type { CheckpointRepository } from '../config/schema/checkpoint.js';
import type { GpuInfo } from '../gpu/catalog.js';
import type { DecoderRuntimeSettings } from '../toolchain/engine-settings.js';
import {
  convertBertArgv,
  convertCheckpointArgv,
  quantizeArgv,
  trtllmBuildArgv,
  trtllmBuildBertArgv,
} from '../toolchain/engine-argv.js';
import { WORKSPACE, loraAdapterDir } from '../toolchain/layout.js';
import { decoderServeLaunch, decoderTritonLaunch } from '../toolchain/launch-decoder.js';
import { encoderLaunch } from '../toolchain/launch-encoder.js';
import { bertClassFromArchitecture, inferBertClass, type BertModelClass } from '../toolchain/model-family.js';
import type { WebserverRoute } from '../config/schema/enums.js';
import { deriveEngineSettings } from './derive-engine.js';
import { planError } from './plan-error.js';
import type { PlannerOptions } from './planner-options.js';
import { containerStep, fetchItems, fetchStep, publishStep } from './steps.js';
import type { LaunchConfig, PlanStep } from './types.js';

/** The parts of a plan a stack-specific planner produces. */
export interface PlanBody {
  readonly steps: PlanStep[];
  readonly launch: Record<string, LaunchConfig>;
}

interface Ctx {
  readonly cfg: TrtLlmConfigV1;
  readonly checkpoint: CheckpointRepository;
  readonly gpu: GpuInfo;
  readonly builderGpus: number;
  readonly image: string;
  /** Image of the project's step scripts (runs the encoder server). */
  readonly stepsImage: string;
  /** Triton runtime image of the lane's version, or null (no Triton launch; the reason is a lane note). */
  readonly tritonImage: string | null;
  readonly secretNames: readonly string[];
  readonly options: PlannerOptions | undefined;
  readonly assumptions: string[];
  /** `architectures[0]` of config.json when known. */
  readonly architecture: string | undefined;
}

/** The encoder route: as configured, else from the architecture (Truss V1-3), else /v1/embeddings. */
function encoderRoute(ctx: Ctx): WebserverRoute {
  const configured = ctx.cfg.runtime.webserver_default_route;
  if (configured !== null) return configured;
  if (ctx.architecture !== undefined) {
    const route = ctx.architecture.includes('ForSequenceClassification') ? '/predict' : '/v1/embeddings';
    ctx.assumptions.push(`runtime.webserver_default_route not set: ${route} for architecture ${ctx.architecture}`);
    return route;
  }
  ctx.assumptions.push(
    'runtime.webserver_default_route not set: /v1/embeddings (the architecture in config.json is not read offline)',
  );
  return '/v1/embeddings';
}

/** v1 decoder or encoder (causal): convert or quantize, then trtllm-build, then publish. */
function planDecoderStyle(ctx: Ctx): { body: PlanBody } | { errors: Diagnostic[] } {
  const { cfg, gpu, builderGpus, image, options, assumptions } = ctx;
  const { settings: e, errors } = deriveEngineSettings(
    cfg,
    gpu,
    builderGpus,
    ctx.checkpoint.repo,
    ctx.architecture,
    assumptions,
  );
  if (errors.length > 0) return { errors };
  const steps: PlanStep[] = [
    fetchStep(fetchItems(cfg.build, ctx.checkpoint, e.quant !== null, ctx.secretNames), options),
  ];
  if (e.quant !== null || e.family === 'generic') {
    steps.push(
      containerStep(
        'quantize',
        image,
        quantizeArgv(e, e.quant, WORKSPACE.trtllmCheckpointDir),
        builderGpus,
        {
          inputs: e.quant ? [WORKSPACE.checkpointDir, e.quant.calibDatasetDir] : [WORKSPACE.checkpointDir],
          outputs: [WORKSPACE.trtllmCheckpointDir],
          description: e.quant
            ? `calibrate and quantize to ${e.quant.qformat}${e.quant.kvCacheDtype ? ` with ${e.quant.kvCacheDtype} KV cache` : ''} (ModelOpt), TP ${e.tp}`
            : `export the checkpoint in its own precision through ModelOpt (full_prec), TP ${e.tp}`,
        },
        options,
      ),
    );
  } else {
    steps.push(
      containerStep(
        'convert',
        image,
        convertCheckpointArgv(e),
        builderGpus,
        {
          inputs: [WORKSPACE.checkpointDir],
          outputs: [WORKSPACE.trtllmCheckpointDir],
          description: `convert the ${e.family} checkpoint to a TensorRT-LLM checkpoint, TP ${e.tp}`,
        },
        options,
      ),
    );
  }
  const loraInputs = (e.lora?.adapterNames ?? []).map((_, i) => loraAdapterDir(i));
  steps.push(
    containerStep(
      'engine_build',
      image,
      trtllmBuildArgv(e),
      builderGpus,
      {
        inputs: [WORKSPACE.trtllmCheckpointDir, ...loraInputs],
        outputs: [WORKSPACE.engineDir],
        description: `build ${e.tp * e.pp} engine rank(s) for SM ${gpu.sm} with ${e.workers} worker(s)`,
      },
      options,
    ),
  );
  steps.push(publishStep('engine', WORKSPACE.engineDir, WORKSPACE.checkpointDir, options));
  if (cfg.build.base_model === 'encoder') {
    const route = encoderRoute(ctx);
    if (route === '/predict_tokens') {
      return {
        errors: [
          planError(
            'ENCODER_ROUTE_NOT_SERVED',
            'trt_llm.runtime.webserver_default_route',
            'the encoder server serves /v1/embeddings, /predict and /rerank; token classification (/predict_tokens) has no server for a TensorRT engine in the pinned lane',
          ),
        ],
      };
    }
    const launch = encoderLaunch(
      { kind: 'encoder', route, maxBatchSize: e.maxBatchSize, maxNumTokens: e.maxNumTokens, maxSeqLen: e.maxSeqLen },
      ctx.stepsImage,
    );
    return { body: { steps, launch: { encoder: launch } } };
  }
  const r: DecoderRuntimeSettings = {
    kvCacheFreeGpuMemFraction: cfg.runtime.kv_cache_free_gpu_mem_fraction,
    kvCacheHostMemoryBytes: cfg.runtime.kv_cache_host_memory_bytes,
    enableChunkedContext: cfg.runtime.enable_chunked_context,
    batchSchedulerPolicy: cfg.runtime.batch_scheduler_policy,
  };
  const briton = [
    ...(cfg.runtime.served_model_name !== null ? ['served_model_name'] : []),
    ...(cfg.runtime.request_default_max_tokens !== null ? ['request_default_max_tokens'] : []),
    ...(cfg.runtime.total_token_limit !== 500000 ? ['total_token_limit'] : []),
  ];
  for (const key of briton) {
    assumptions.push(
      `runtime.${key} has no TensorRT-LLM 1.2 trtllm-serve/Triton equivalent; it is not in the launch configs`,
    );
  }
  const launch: Record<string, LaunchConfig> = { 'trtllm-serve': decoderServeLaunch(e, r, image) };
  if (ctx.tritonImage !== null) launch['triton'] = decoderTritonLaunch(e, r, ctx.tritonImage);
  return { body: { steps, launch } };
}

/** v1 encoder_bert: the BERT converter, a KV-cache-free engine, publish. */
function planBert(ctx: Ctx): { body: PlanBody } | { errors: Diagnostic[] } {
  const { cfg, image, options, assumptions, builderGpus } = ctx;
  const build = cfg.build;
  const errors: Diagnostic[] = [];
  if (build.quantization_type !== 'no_quant') {
    errors.push(
      planError(
        'ENCODER_BERT_QUANTIZATION_NOT_IN_LANE',
        'trt_llm.build.quantization_type',
        `the pinned BERT converter has no calibrated quantization (${build.quantization_type}); use no_quant for encoder_bert`,
      ),
    );
  }
  if (build.tensor_parallel_count > 2 || build.pipeline_parallel_count > 1) {
    errors.push(
      planError(
        'ENCODER_BERT_PARALLEL_NOT_IN_LANE',
        'trt_llm.build.tensor_parallel_count',
        'the pinned BERT converter supports tensor parallel 1 or 2 and no pipeline parallelism',
      ),
    );
  }
  const route = encoderRoute(ctx);
  if (route === '/predict_tokens') {
    errors.push(
      planError(
        'ENCODER_BERT_ROUTE_NOT_IN_LANE',
        'trt_llm.runtime.webserver_default_route',
        'token classification (/predict_tokens) has no model class in the pinned BERT converter (BertModel, Bert/RobertaForSequenceClassification, …QuestionAnswering)',
      ),
    );
  }
  if (build.lora_adapters && Object.keys(build.lora_adapters).length > 0) {
    errors.push(
      planError(
        'LORA_NOT_FOR_ENCODER',
        'trt_llm.build.lora_adapters',
        'LoRA adapters are served by decoders only; remove lora_adapters for base_model encoder_bert',
      ),
    );
  }
  const architecture = ctx.architecture;
  let fromArchitecture: { cls: BertModelClass; reason: string } | undefined;
  if (architecture !== undefined) {
    const cls = bertClassFromArchitecture(architecture);
    if (cls === undefined) {
      errors.push(
        planError(
          'ENCODER_BERT_ARCHITECTURE_NOT_IN_LANE',
          'trt_llm.build.base_model',
          `architecture ${architecture} has no class in the pinned BERT converter (BertModel, RobertaModel, Bert/RobertaForSequenceClassification)`,
        ),
      );
    } else fromArchitecture = { cls, reason: `checkpoint architecture ${architecture}` };
  }
  if (errors.length > 0) return { errors };
  const bertClass = fromArchitecture ?? inferBertClass(ctx.checkpoint.repo, route);
  assumptions.push(`BERT converter --model ${bertClass.cls}: ${bertClass.reason}`);
  const b = {
    modelClass: bertClass.cls,
    tp: build.tensor_parallel_count,
    workers: Math.max(1, Math.min(builderGpus, build.tensor_parallel_count)),
    maxBatchSize: build.max_batch_size,
    maxNumTokens: build.max_num_tokens,
    maxSeqLen: build.max_seq_len,
  };
  const steps: PlanStep[] = [
    fetchStep(fetchItems(build, ctx.checkpoint, false, ctx.secretNames), options),
    containerStep(
      'convert',
      image,
      convertBertArgv(b),
      builderGpus,
      {
        inputs: [WORKSPACE.checkpointDir],
        outputs: [WORKSPACE.trtllmCheckpointDir],
        description: `convert the checkpoint as ${b.modelClass} (float16), TP ${b.tp}`,
      },
      options,
    ),
    containerStep(
      'engine_build',
      image,
      trtllmBuildBertArgv(b),
      builderGpus,
      {
        inputs: [WORKSPACE.trtllmCheckpointDir],
        outputs: [WORKSPACE.engineDir],
        description: `build the BERT engine for SM ${ctx.gpu.sm} (no KV cache)`,
      },
      options,
    ),
    publishStep('engine', WORKSPACE.engineDir, WORKSPACE.checkpointDir, options),
  ];
  // Not /predict_tokens: that route is an error above, and any error has returned.
  const served = route as Exclude<WebserverRoute, '/predict_tokens'>;
  const launch = encoderLaunch(
    {
      kind: 'encoder_bert',
      route: served,
      maxBatchSize: b.maxBatchSize,
      maxNumTokens: b.maxNumTokens,
      maxSeqLen: b.maxSeqLen,
    },
    ctx.stepsImage,
  );
  return { body: { steps, launch: { encoder: launch } } };
}

/** The v1 plan body for any base model. */
export function planV1(ctx: Ctx): { body: PlanBody } | { errors: Diagnostic[] } {
  return ctx.cfg.build.base_model === 'encoder_bert' ? planBert(ctx) : planDecoderStyle(ctx);
}
