/** v2 rules: the build allow-list (Truss V2-2) and patch_kwargs (V2-3). */
import { isDeepStrictEqual } from 'node:util';
import { TrtLlmBuild } from '../schema/build.js';
import { TrtLlmRuntimeV2 } from '../schema/runtime.js';
import { objectKeys } from '../schema-walk.js';
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

/** Build fields a v2 config may set to non-default values. */
export const V2_BUILD_ALLOWED: readonly string[] = [
  'checkpoint_repository',
  'quantization_type',
  'quantization_config',
  'skip_build_result',
  'num_builder_gpus',
];
const DEFAULT_BUILD: Readonly<Record<string, unknown>> = TrtLlmBuild.parse({});
const BUILD_KEYS = Object.keys(TrtLlmBuild.shape);
// Stryker disable next-line ArrayDeclaration: the fallback is never taken, the runtime schema is an object behind a transform
const V2_RUNTIME_KEYS = (objectKeys(TrtLlmRuntimeV2) ?? []).filter(
  (k) => k !== 'patch_kwargs' && k !== 'gated_features',
);

/** On v2 only a few build fields may differ from the defaults; patch_kwargs is a preview. */
export function v2Rules(ctx: RuleContext): Finding[] {
  const cfg = ctx.trtLlm;
  if (cfg.inference_stack !== 'v2') return [];
  const out: Finding[] = [];
  const build = cfg.build as Readonly<Record<string, unknown>>;
  for (const key of BUILD_KEYS) {
    const dotted = `trt_llm.build.${key}`;
    if (V2_BUILD_ALLOWED.includes(key) || !ctx.userSet.has(dotted)) continue;
    // Truss compares the user's partial dump: a nested mapping that omits fields differs from the default.
    const nested = objectKeys(TrtLlmBuild.shape[key as keyof typeof TrtLlmBuild.shape]);
    const partial =
      nested !== undefined && build[key] !== null && nested.some((k) => !ctx.userSet.has(`${dotted}.${k}`));
    if (partial || !isDeepStrictEqual(build[key], DEFAULT_BUILD[key])) {
      out.push(
        error(
          'V2_BUILD_FIELD_NOT_ALLOWED',
          ['trt_llm', 'build', key],
          `build.${key} cannot be set on inference_stack v2 (allowed: ${V2_BUILD_ALLOWED.join(', ')}); sizes and parallelism go under trt_llm.runtime`,
          'key',
        ),
      );
    }
  }
  const pk = cfg.runtime.patch_kwargs;
  const pkKey = ctx.userSet.has('trt_llm.runtime.gated_features') ? 'gated_features' : 'patch_kwargs';
  if (ctx.userSet.has('trt_llm.runtime.gated_features') && ctx.userSet.has('trt_llm.runtime.patch_kwargs')) {
    out.push(
      error(
        'PATCH_KWARGS_ALIAS_CONFLICT',
        ['trt_llm', 'runtime', 'gated_features'],
        'gated_features is an alias of patch_kwargs; set only one of them',
        'key',
      ),
    );
  }
  if (Object.keys(pk).length > 0) {
    out.push(
      warning(
        'PATCH_KWARGS_PREVIEW',
        ['trt_llm', 'runtime', pkKey],
        `runtime.${pkKey} is a preview feature; its fields may change`,
        'key',
      ),
    );
  }
  for (const key of Object.keys(pk)) {
    if (key === 'build_config') {
      out.push(
        warning(
          'PATCH_KWARGS_SHADOWS_FIELD',
          ['trt_llm', 'runtime', pkKey, key],
          `build_config is generated from trt_llm.runtime (max_seq_len, max_batch_size, max_num_tokens); set those instead of passing it in ${pkKey}`,
          'key',
        ),
      );
    } else if (V2_RUNTIME_KEYS.includes(key)) {
      out.push(
        warning(
          'PATCH_KWARGS_SHADOWS_FIELD',
          ['trt_llm', 'runtime', pkKey, key],
          `${key} is already a runtime field; set trt_llm.runtime.${key} instead of passing it in ${pkKey}`,
          'key',
        ),
      );
    }
  }
  return out;
}
