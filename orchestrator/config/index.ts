/**
 * Public API of the config validator: `validateConfigText` plus the zod schemas and types of the
 * Truss `trt_llm` and `resources` sections. Other modules import from here only.
 */
export { validateConfigText } from './validate.js';
export type { ValidatedConfig, ValidationResult } from './validate.js';
export type { Diagnostic, Severity } from './diagnostic.js';
export { TrtLlmConfig, TrtLlmConfigV1, TrtLlmConfigV2, VersionOverrides, INFERENCE_STACKS } from './schema/trt-llm.js';
export type { InferenceStack } from './schema/trt-llm.js';
export { TrtLlmBuild, QuantizationConfig, PluginConfiguration, Speculator, LoraConfiguration } from './schema/build.js';
export { TrtLlmRuntimeV1, TrtLlmRuntimeV2, PatchKwargs } from './schema/runtime.js';
export { CheckpointRepository } from './schema/checkpoint.js';
export { Resources } from './schema/resources.js';
export {
  BaseModel,
  QuantizationType,
  CheckpointSource,
  BatchSchedulerPolicy,
  SpecDecMode,
  WebserverRoute,
  FP8_FAMILY,
  FP4_FAMILY,
} from './schema/enums.js';
export { lookaheadDraftTokens } from './rules/speculator.js';
export { configJsonSchema } from './json-schema.js';
