/**
 * A diagnostic: one problem found in a config, with where it is and how to fix it.
 * Shared by the validator, the planner, the CLI and the API (`422` bodies).
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable, upper-snake-case code, e.g. `CALIB_SIZE_NOT_MULTIPLE_OF_64`. */
  readonly code: string;
  readonly severity: Severity;
  /** Dotted path from the document root, e.g. `trt_llm.build.quantization_config.calib_size`. */
  readonly path: string;
  /** What was expected, what arrived, and a fix where one exists. Never contains a secret value. */
  readonly message: string;
  /** 1-based position of the key or value (of the parent mapping when the key is missing). */
  readonly line: number;
  readonly column: number;
}
