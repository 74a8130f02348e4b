/**
 * The one place the CLI turns config text into a verdict and a plan. Today it validates only
 * (`plan: null`); when the planner lands, swap `validateConfigText` for `planConfigText`.
 */
import { validateConfigText } from '../config/index.js';
import type { PlanOutput } from './render-diagnostics.js';

/** Validates (later: plans) a config text. Pure; never throws. */
export function planText(text: string): PlanOutput {
  const r = validateConfigText(text);
  return { valid: r.valid, errors: r.errors, warnings: r.warnings, plan: null };
}
