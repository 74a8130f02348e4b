/**
 * The TensorRT-LLM CLI surface of the pinned 1.2 line: the conformance fixture
 * `fixture/trtllm-cli-surface.json` (a byte-identical copy of
 * `../shared/reference/trtllm-cli-surface.json`), compiled into `fixture/cli-surface-text.ts` so
 * nothing is read from disk at run time. Parsed once, lazily; read-only afterwards.
 */
import { CLI_SURFACE_TEXT } from './fixture/cli-surface-text.js';
import { BERT_CONVERT_SURFACE, ENCODER_SERVER_SURFACE, EXPORT_HF_CHECKPOINT_SURFACE } from './surface-supplement.js';
import type { CliSurface, ToolName, ToolSurface } from './surface-types.js';

export type { CliSurface, FlagSpec, FlagType, ToolName, ToolSurface } from './surface-types.js';

let cached: CliSurface | undefined;

/** Path of the JSON fixture in the source tree (tests compare it with the reference and the compiled text). */
export const FIXTURE_URL = new URL('./fixture/trtllm-cli-surface.json', import.meta.url);

/** The parsed fixture (read on first use, then cached). */
export function cliSurface(): CliSurface {
  if (!cached) {
    const parsed = JSON.parse(CLI_SURFACE_TEXT) as CliSurface;
    cached = {
      ...parsed,
      commands: {
        ...parsed.commands,
        'convert_checkpoint.py(bert)': BERT_CONVERT_SURFACE,
        'export_hf_checkpoint.py': EXPORT_HF_CHECKPOINT_SURFACE,
        'encoder_server.py': ENCODER_SERVER_SURFACE,
      },
    };
  }
  return cached;
}

/** The surface of one tool. */
export function toolSurface(tool: ToolName): ToolSurface {
  const surface = cliSurface().commands[tool];
  if (!surface) throw new Error(`fixture has no command ${tool}`);
  return surface;
}

/** Every top-level LLM API YAML key accepted by the pinned version for one backend. */
export function llmApiTopLevelKeys(backend: 'tensorrt' | 'pytorch'): ReadonlySet<string> {
  const y = cliSurface().llm_api_yaml;
  const keys = [...y.top_level_keys_common, ...y.top_level_keys_1_2_only];
  if (backend === 'pytorch') keys.push(...y.pytorch_keys_common, ...y.pytorch_keys_1_2_only);
  else keys.push(...y.tensorrt_backend_keys);
  return new Set(keys);
}

/**
 * Keys accepted inside a nested LLM API YAML object (kv_cache_config, lora_config, …), or undefined
 * when the fixture has no such object (unknown names, and the choice lists such as
 * `batching_type_choices`, which are arrays). Every other `nested` entry is an object.
 */
export function llmApiNestedKeys(name: string): ReadonlySet<string> | undefined {
  const nested = cliSurface().llm_api_yaml.nested[name];
  if (nested === undefined || Array.isArray(nested)) return undefined;
  const n = nested as Record<string, unknown>;
  const lists = ['common', '1_2_only', 'keys', 'keys_common', 'keys_1_2_only'];
  const keys = lists.flatMap((k) => (Array.isArray(n[k]) ? (n[k] as string[]) : []));
  return new Set(keys);
}
