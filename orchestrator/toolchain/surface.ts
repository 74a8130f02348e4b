/**
 * The TensorRT-LLM CLI surface of the pinned 1.2 line, read from the conformance fixture
 * `fixture/trtllm-cli-surface.json` (a byte-identical copy of
 * `../shared/reference/trtllm-cli-surface.json`). Loaded once, lazily; read-only afterwards.
 */
import { readFileSync } from 'node:fs';
import { BERT_CONVERT_SURFACE } from './surface-supplement.js';

export type FlagType = 'str' | 'int' | 'float' | 'flag' | 'choice' | 'path' | 'bool';

/** One flag as the fixture lists it. */
export interface FlagSpec {
  readonly type: FlagType;
  readonly default?: unknown;
  readonly choices?: readonly (string | number)[];
  readonly nargs?: '+' | '?';
  readonly aliases?: readonly string[];
  readonly value_aliases?: Readonly<Record<string, string>>;
  readonly case_insensitive?: boolean;
  readonly required?: boolean;
  readonly deprecated?: boolean;
}

/** One tool (trtllm-build, quantize.py, …) as the fixture lists it. */
export interface ToolSurface {
  readonly flags: Readonly<Record<string, FlagSpec>>;
  readonly removed_flags?: Readonly<Record<string, unknown>>;
  readonly legacy_flags_must_reject?: readonly string[];
  readonly positional?: readonly string[];
}

/** The parts of the fixture the toolchain reads. */
export interface CliSurface {
  readonly version: string;
  readonly commands: Readonly<Record<string, ToolSurface>>;
  readonly llm_api_yaml: {
    readonly top_level_keys_common: readonly string[];
    readonly top_level_keys_1_2_only: readonly string[];
    readonly pytorch_keys_common: readonly string[];
    readonly pytorch_keys_1_2_only: readonly string[];
    readonly tensorrt_backend_keys: readonly string[];
    readonly nested: Readonly<Record<string, unknown>>;
    readonly speculative_config: {
      readonly fields: Readonly<Record<string, readonly string[]>>;
      readonly backend_support_1_2: Readonly<Record<string, readonly string[]>>;
    };
  };
  readonly triton_config_pbtxt: {
    readonly template_vars: Readonly<Record<string, unknown>>;
    readonly parameters: Readonly<Record<string, FlagSpec>>;
  };
}

/** Tool keys: the fixture's command names plus the supplemental BERT converter. */
export type ToolName =
  | 'trtllm-build'
  | 'trtllm-serve'
  | 'quantize.py'
  | 'convert_checkpoint.py(llama)'
  | 'convert_checkpoint.py(qwen)'
  | 'convert_checkpoint.py(bert)';

let cached: CliSurface | undefined;

/** Path of the fixture copy shipped with this package (next to this module in the sources). */
export const FIXTURE_URL = new URL('./fixture/trtllm-cli-surface.json', import.meta.url);
/** From the compiled `dist/toolchain/`, `tsc` does not copy JSON: fall back to the source copy. */
const SOURCE_FIXTURE_URL = new URL('../../orchestrator/toolchain/fixture/trtllm-cli-surface.json', import.meta.url);

function readFixture(): string {
  try {
    return readFileSync(FIXTURE_URL, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return readFileSync(SOURCE_FIXTURE_URL, 'utf8');
  }
}

/** The parsed fixture (read on first use, then cached). */
export function cliSurface(): CliSurface {
  if (!cached) {
    const parsed = JSON.parse(readFixture()) as CliSurface;
    cached = {
      ...parsed,
      commands: { ...parsed.commands, 'convert_checkpoint.py(bert)': BERT_CONVERT_SURFACE },
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

/** Keys accepted inside a nested LLM API YAML object (kv_cache_config, lora_config, …), or undefined when unknown. */
export function llmApiNestedKeys(name: string): ReadonlySet<string> | undefined {
  const nested = cliSurface().llm_api_yaml.nested[name];
  if (!nested || typeof nested !== 'object') return undefined;
  const n = nested as Record<string, unknown>;
  const lists = ['common', '1_2_only', 'keys', 'keys_common', 'keys_1_2_only'];
  const keys = lists.flatMap((k) => (Array.isArray(n[k]) ? (n[k] as string[]) : []));
  return new Set(keys);
}
