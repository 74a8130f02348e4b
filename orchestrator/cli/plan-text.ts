/**
 * The one place the CLI turns config text into a verdict and a plan (the planner's facade, which
 * validates first). To run the validator alone, return `validateConfigText(text)` with `plan: null`.
 */
import { planConfigText } from '../plan/plan-config.js';
import type { PlanOutput } from './render-diagnostics.js';

/** Validates and plans a config text. Pure; never throws. */
export function planText(text: string): PlanOutput {
  return planConfigText(text);
}
