/** `trt_llm`: the v1/v2 union chosen by `inference_stack` (absent means v1). */
import * as z from 'zod';
import { TrtLlmBuild } from './build.js';
import { TrtLlmRuntimeV1, TrtLlmRuntimeV2 } from './runtime.js';

/** Image version pins; the four Truss checks must start with a digit. */
export const VersionOverrides = z.object({
  engine_builder_version: z.string().nullable().default(null),
  briton_version: z.string().nullable().default(null),
  bei_version: z.string().nullable().default(null),
  bei_bert_version: z.string().nullable().default(null),
  v2_llm_version: z.string().nullable().default(null),
});
export type VersionOverrides = z.infer<typeof VersionOverrides>;

/** v1: TensorRT engine stack (dense decoders, BEI, BEI-Bert). */
export const TrtLlmConfigV1 = z.object({
  inference_stack: z.literal('v1').default('v1'),
  build: TrtLlmBuild,
  runtime: TrtLlmRuntimeV1.prefault({}),
  version_overrides: VersionOverrides.prefault({}),
});
export type TrtLlmConfigV1 = z.infer<typeof TrtLlmConfigV1>;

/** v2: PyTorch LLM-API stack (MoE, multi-node); `runtime` is required. */
export const TrtLlmConfigV2 = z.object({
  inference_stack: z.literal('v2'),
  build: TrtLlmBuild,
  runtime: TrtLlmRuntimeV2,
  version_overrides: VersionOverrides.prefault({}),
});
export type TrtLlmConfigV2 = z.infer<typeof TrtLlmConfigV2>;

/** The whole `trt_llm` section; the output is discriminated on `inference_stack`. */
export const TrtLlmConfig = z.union([TrtLlmConfigV1, TrtLlmConfigV2]);
export type TrtLlmConfig = z.infer<typeof TrtLlmConfig>;

/** The stacks `inference_stack` may name. */
export const INFERENCE_STACKS = ['v1', 'v2'] as const;
export type InferenceStack = (typeof INFERENCE_STACKS)[number];
