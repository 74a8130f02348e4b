/**
 * The planner facade: config text → `{valid, errors, warnings, plan}`. This exact object is what
 * `trt-plan --json` prints and what the REST API returns. Plan errors get the source position of
 * the config key they come from.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import { validateConfigText } from '../config/index.js';
import { parseSource } from '../config/yaml-source.js';
import { makePlan } from './make-plan.js';
import type { PlannerOptions } from './planner-options.js';
import type { BuildPlan } from './types.js';

export interface PlanConfigResult {
  readonly valid: boolean;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  readonly plan: BuildPlan | null;
}

function withPositions(text: string, errors: readonly Diagnostic[]): Diagnostic[] {
  const src = parseSource(text);
  return errors.map((d) => {
    if (d.path.startsWith('options.')) return d;
    const pos = src.positionOf(d.path.split('.'));
    return { ...d, line: pos.line, column: pos.column };
  });
}

/** Validates and plans one config text. Pure; never throws. */
export function planConfigText(text: string, options?: PlannerOptions): PlanConfigResult {
  const v = validateConfigText(text);
  // A config comes exactly with valid results (validateConfigText).
  if (v.config === null) return { valid: false, errors: v.errors, warnings: v.warnings, plan: null };
  try {
    const planned = makePlan(v.config, options);
    if ('errors' in planned)
      return { valid: false, errors: withPositions(text, planned.errors), warnings: v.warnings, plan: null };
    return { valid: true, errors: [], warnings: v.warnings, plan: planned.plan };
  } catch (err) {
    const message = `internal planner error: ${err instanceof Error ? err.name : 'unknown'}; please report this config`;
    return {
      valid: false,
      errors: [{ code: 'INTERNAL_ERROR', severity: 'error', path: '', message, line: 1, column: 1 }],
      warnings: v.warnings,
      plan: null,
    };
  }
}
