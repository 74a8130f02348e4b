/**
 * Migration messages for keys Truss removed or that belong elsewhere. Keyed by the location of the
 * mapping that holds the key (dotted path from the root) and the key itself. Pure data.
 */
import type { InferenceStack } from './schema/trt-llm.js';
import { TrtLlmRuntimeV1 } from './schema/runtime.js';
import { TrtLlmBuild } from './schema/build.js';
import { objectKeys } from './schema-walk.js';

export interface LegacyKey {
  readonly code: 'LEGACY_KEY' | 'MISPLACED_KEY';
  readonly message: string;
}

const V1_RUNTIME_KEYS = objectKeys(TrtLlmRuntimeV1) ?? [];
const BUILD_KEYS = objectKeys(TrtLlmBuild) ?? [];
const V2_RUNTIME_ONLY: Readonly<Record<string, string>> = {
  max_seq_len: 'trt_llm.build.max_seq_len',
  max_batch_size: 'trt_llm.build.max_batch_size',
  max_num_tokens: 'trt_llm.build.max_num_tokens',
  tensor_parallel_size: 'trt_llm.build.tensor_parallel_count',
  enable_chunked_prefill: 'trt_llm.runtime.enable_chunked_context',
  patch_kwargs: '',
  gated_features: '',
};
const V1_RUNTIME_FOR_V2: Readonly<Record<string, string>> = {
  enable_chunked_context: 'trt_llm.runtime.enable_chunked_prefill',
  kv_cache_free_gpu_mem_fraction: 'trt_llm.runtime.patch_kwargs.kv_cache_config.free_gpu_memory_fraction',
};

function removed(message: string): LegacyKey {
  return { code: 'LEGACY_KEY', message };
}
function moved(message: string): LegacyKey {
  return { code: 'MISPLACED_KEY', message };
}

/** The migration message for `key` found in the mapping at `location`, if it is a known legacy key. */
export function legacyKey(location: string, key: string, stack: InferenceStack): LegacyKey | undefined {
  const seqLen = stack === 'v2' ? 'trt_llm.runtime.max_seq_len' : 'trt_llm.build.max_seq_len';
  switch (location) {
    case 'trt_llm':
      if (key === 'plugin_configuration')
        return moved('plugin_configuration belongs under trt_llm.build; move it to trt_llm.build.plugin_configuration');
      if (key === 'serve')
        return removed(
          'trt_llm.serve (prebuilt engine_repository) was removed from Truss; build from trt_llm.build.checkpoint_repository instead',
        );
      if (key === 'requires_build') return removed('requires_build is deprecated and always true; delete it');
      if (key === 'draft' || key === 'target')
        return removed(
          `trt_llm.${key} (draft/target model pairs) is not part of the schema; external-draft speculation is discontinued: use trt_llm.build.speculator with LOOKAHEAD_DECODING`,
        );
      if (BUILD_KEYS.includes(key)) return moved(`${key} is a build setting; move it to trt_llm.build.${key}`);
      if (V1_RUNTIME_KEYS.includes(key)) return moved(`${key} is a runtime setting; move it to trt_llm.runtime.${key}`);
      return undefined;
    case 'trt_llm.build':
      if (key === 'max_input_len' || key === 'max_output_len') {
        return removed(
          `${key} was removed from Truss in favour of max_seq_len (prompt plus output tokens); delete it and set ${seqLen}`,
        );
      }
      if (key === 'huggingface_ckpt_repository')
        return removed(
          'huggingface_ckpt_repository was replaced by checkpoint_repository: {source: HF, repo: <org/name>, revision: <rev>}',
        );
      if (key === 'base_model_architecture')
        return removed(
          'base_model_architecture was removed; the decoder detects the architecture from the checkpoint; delete it',
        );
      if (key === 'max_draft_len') return removed('max_draft_len was replaced by speculator.num_draft_tokens');
      if (key === 'speculative_decoding_mode')
        return moved('speculative_decoding_mode belongs under trt_llm.build.speculator');
      if (['use_fused_mlp', 'multi_block_mode', 'gemm_plugin', 'kv_cache_type'].includes(key))
        return removed(`${key} was removed from the Truss build schema; delete it`);
      if (key in V2_RUNTIME_ONLY && stack === 'v2')
        return moved(`on inference_stack v2 ${key} is set under trt_llm.runtime.${key}`);
      if (V1_RUNTIME_KEYS.includes(key))
        return moved(
          `${key} is a runtime setting; move it to trt_llm.runtime.${key} (the automatic build→runtime migration was removed in 2025)`,
        );
      return undefined;
    case 'trt_llm.runtime':
      if (stack === 'v1' && key in V2_RUNTIME_ONLY) {
        const target = V2_RUNTIME_ONLY[key];
        return moved(`${key} is a v2 runtime field (inference_stack: v2)${target ? `; on v1 use ${target}` : ''}`);
      }
      if (stack === 'v2' && V1_RUNTIME_KEYS.includes(key)) {
        const target = V1_RUNTIME_FOR_V2[key];
        return moved(`${key} is a v1 runtime field, not used by inference_stack v2${target ? `; use ${target}` : ''}`);
      }
      return undefined;
    case 'trt_llm.build.speculator':
      if (key === 'checkpoint_repository' || key === 'build' || key === 'runtime') {
        return removed(
          `speculator.${key} configures an external draft model; DRAFT_TOKENS_EXTERNAL is discontinued: use LOOKAHEAD_DECODING or inference_stack v2`,
        );
      }
      return undefined;
    case 'trt_llm.build.checkpoint_repository':
      if (key === 'download_cmd')
        return removed(
          'download_cmd is not supported; use a source of HF, S3, GCS, AZURE, REMOTE_URL or BASETEN_TRAINING',
        );
      return undefined;
    default:
      return undefined;
  }
}
