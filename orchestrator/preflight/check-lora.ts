/**
 * LoRA adapter checks (pure), support-1.2.md §6: rank ≤ `max_lora_rank`, target modules ⊆ the
 * engine's LoRA modules, no `modules_to_save`, and the adapter's base model is the checkpoint.
 */
import { err, type Finding } from './finding.js';
import { HF_TO_TRT_LORA, type PreflightSettings } from './settings.js';

/** What an adapter's `adapter_config.json` says. */
export interface AdapterFacts {
  /** The adapter name (key under `lora_adapters`). */
  readonly name: string;
  readonly rank: number;
  /** HF module names as written (`q_proj`, …). */
  readonly targetModules: readonly string[];
  readonly baseModel: string | null;
  readonly modulesToSave: readonly string[];
}

/** Parses `adapter_config.json` (PEFT); a bad file is a message, never a throw. */
export function parseAdapterConfig(
  name: string,
  json: unknown,
): { ok: true; adapter: AdapterFacts } | { ok: false; message: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, message: `adapter ${name}: adapter_config.json is not a JSON object` };
  const o = json as Record<string, unknown>;
  const r = o['r'];
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1)
    return { ok: false, message: `adapter ${name}: adapter_config.json has no positive integer "r" (rank)` };
  const tm = o['target_modules'];
  const targetModules = Array.isArray(tm)
    ? tm.filter((x): x is string => typeof x === 'string')
    : typeof tm === 'string'
      ? [tm]
      : [];
  const mts = o['modules_to_save'];
  return {
    ok: true,
    adapter: {
      name,
      rank: r,
      targetModules,
      baseModel:
        typeof o['base_model_name_or_path'] === 'string' && o['base_model_name_or_path'] !== ''
          ? o['base_model_name_or_path']
          : null,
      modulesToSave: Array.isArray(mts) ? mts.filter((x): x is string => typeof x === 'string') : [],
    },
  };
}

function modelKey(repo: string): string {
  const last = repo.replace(/\/+$/, '').split('/').pop() ?? repo;
  return last.toLowerCase().replace(/[-_](instruct|chat|it|hf)$/, '');
}

/** Findings for each adapter against the engine's LoRA settings and the base checkpoint. */
export function checkLora(adapters: readonly AdapterFacts[], s: PreflightSettings): Finding[] {
  const lora = s.lora;
  if (lora === null) return [];
  const out: Finding[] = [];
  const base = s.checkpoint?.source === 'HF' ? s.checkpoint.repo : null;
  for (const a of adapters) {
    const at = `trt_llm.build.lora_adapters.${a.name}`;
    if (a.rank > lora.maxRank) {
      out.push(
        err(
          'PREFLIGHT_LORA_RANK_TOO_LARGE',
          'trt_llm.build.lora_configuration.max_lora_rank',
          `adapter ${a.name} has rank ${a.rank} but the engine is built for max_lora_rank ${lora.maxRank}: set max_lora_rank to ${a.rank} or more`,
        ),
      );
    }
    if (lora.targetModules.length > 0) {
      const missing = a.targetModules.filter((m) => !lora.targetModules.includes(HF_TO_TRT_LORA[m] ?? m));
      if (missing.length > 0) {
        const need = [...new Set([...lora.targetModules, ...missing.map((m) => HF_TO_TRT_LORA[m] ?? m)])];
        out.push(
          err(
            'PREFLIGHT_LORA_MODULES_NOT_IN_ENGINE',
            'trt_llm.build.lora_configuration.lora_target_modules',
            `adapter ${a.name} targets ${missing.join(', ')}, which the engine is not built for (${lora.targetModules.join(', ')}): set lora_target_modules to ${need.join(', ')}`,
          ),
        );
      }
    }
    if (a.modulesToSave.length > 0) {
      out.push(
        err(
          'PREFLIGHT_LORA_MODULES_TO_SAVE',
          at,
          `adapter ${a.name} also trains full modules (modules_to_save: ${a.modulesToSave.join(', ')}), which TensorRT-LLM LoRA cannot load: merge them into the base checkpoint or retrain without modules_to_save`,
        ),
      );
    }
    if (base !== null && a.baseModel !== null && modelKey(a.baseModel) !== modelKey(base)) {
      out.push(
        err(
          'PREFLIGHT_LORA_BASE_MISMATCH',
          at,
          `adapter ${a.name} was trained on ${a.baseModel}, not on the checkpoint ${base}: use an adapter trained for ${base}, or point checkpoint_repository at ${a.baseModel}`,
        ),
      );
    }
  }
  return out;
}
