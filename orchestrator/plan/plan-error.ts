/** Plan diagnostics: things the pinned lane cannot produce, reported with the config path they come from. */
import type { Diagnostic } from '../config/diagnostic.js';

/** A plan error; line/column are filled from the source by `planConfigText` when it has the text. */
export function planError(code: string, path: string, message: string): Diagnostic {
  return { code, severity: 'error', path, message, line: 1, column: 1 };
}
