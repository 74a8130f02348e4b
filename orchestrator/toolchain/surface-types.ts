/**
 * Types of the pinned CLI surface (the conformance fixture and its supplements). A leaf module:
 * `surface.ts`, `surface-supplement.ts`, `conformance.ts` and `conformance-constraints.ts` all
 * import from here, so no two of them import each other.
 */

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
  | 'convert_checkpoint.py(bert)'
  | 'export_hf_checkpoint.py'
  | 'encoder_server.py';

/** Flags of one parsed argv: canonical flag name → values (empty array for store_true flags). */
export type ParsedFlags = ReadonlyMap<string, readonly string[]>;
