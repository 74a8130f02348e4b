/** `version_overrides` (Truss F8): image versions must start with a digit. */
import { error } from './types.js';
import type { Finding, RuleContext } from './types.js';

const CHECKED = ['engine_builder_version', 'briton_version', 'bei_version', 'bei_bert_version'] as const;

/** engine_builder/briton/bei/bei_bert versions must be non-empty and start with a digit. */
export function versionOverrideRules(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const vo = ctx.trtLlm.version_overrides;
  for (const key of CHECKED) {
    const v = vo[key];
    if (v !== null && !/^[0-9]/.test(v)) {
      out.push(
        error(
          'VERSION_OVERRIDE_INVALID',
          ['trt_llm', 'version_overrides', key],
          `${key} must start with a number, e.g. 0.20.0 (got ${JSON.stringify(v.slice(0, 60))})`,
        ),
      );
    }
  }
  return out;
}
