/** A pre-flight finding before it gets a source position (pure). */
import type { Severity } from '../config/diagnostic.js';

export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  /** Dotted config path the finding is about. */
  readonly path: string;
  /** What was expected, what the checkpoint says, and the fix. */
  readonly message: string;
}

/** An error finding. */
export function err(code: string, path: string, message: string): Finding {
  return { code, severity: 'error', path, message };
}

/** A warning finding. */
export function warn(code: string, path: string, message: string): Finding {
  return { code, severity: 'warning', path, message };
}
