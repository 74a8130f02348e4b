/** `trt_llm.runtime` for the v1 (engine) and v2 (PyTorch) stacks. */
import * as z from 'zod';
import { BatchSchedulerPolicy, WebserverRoute } from './enums.js';

/** v1 runtime (Briton decoder, BEI encoders). */
export const TrtLlmRuntimeV1 = z.object({
  /** Fraction of free GPU memory given to the KV cache, in (0, 1]. */
  kv_cache_free_gpu_mem_fraction: z.number().default(0.9),
  kv_cache_host_memory_bytes: z.int().min(1).nullable().default(null),
  enable_chunked_context: z.boolean().default(true),
  batch_scheduler_policy: BatchSchedulerPolicy.default('guaranteed_no_evict'),
  request_default_max_tokens: z.int().min(1).nullable().default(null),
  served_model_name: z.string().nullable().default(null),
  /** Tokens scheduled at once to the engine; >= 1. */
  total_token_limit: z.int().default(500000),
  webserver_default_route: WebserverRoute.nullable().default(null),
});
export type TrtLlmRuntimeV1 = z.infer<typeof TrtLlmRuntimeV1>;

/** Free-form LLM-API arguments passed through to the v2 runtime. */
export const PatchKwargs = z.record(z.string(), z.unknown());
export type PatchKwargs = z.infer<typeof PatchKwargs>;

/** v2 runtime; `gated_features` is accepted as an alias of `patch_kwargs` and folded into it. */
export const TrtLlmRuntimeV2 = z
  .object({
    max_seq_len: z.int().min(1).max(1048576).nullable().default(null),
    max_batch_size: z.int().min(1).max(2048).default(256),
    max_num_tokens: z.int().gt(64).max(131072).default(8192),
    tensor_parallel_size: z.int().min(1).default(1),
    enable_chunked_prefill: z.boolean().default(true),
    served_model_name: z.string().nullable().default(null),
    patch_kwargs: PatchKwargs.optional(),
    /** Alias of `patch_kwargs`. */
    gated_features: PatchKwargs.optional(),
  })
  .transform(({ gated_features, patch_kwargs, ...rest }) => ({
    ...rest,
    patch_kwargs: patch_kwargs ?? gated_features ?? {},
  }));
export type TrtLlmRuntimeV2 = z.infer<typeof TrtLlmRuntimeV2>;
