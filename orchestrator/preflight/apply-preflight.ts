/**
 * Merges a pre-flight result into a plan outcome (pure): findings become diagnostics with source
 * positions in the config text, the section is attached, and errors make the outcome invalid
 * (plan null, as for any invalid config). The plan itself and its hash are never touched.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import { validateConfigText } from '../config/index.js';
import { parseSource } from '../config/yaml-source.js';
import type { Finding } from './finding.js';
import type { PreflightResult } from './run-preflight.js';
import { preflightSettings, type PreflightSettings } from './settings.js';
import type { PreflightOutcome as PlanOutcome } from './types.js';

/** Diagnostics with the line/column of each finding's config path (the nearest existing parent when absent). */
export function locateFindings(text: string, findings: readonly Finding[]): Diagnostic[] {
  let src: ReturnType<typeof parseSource> | null = null;
  try {
    src = parseSource(text);
  } catch {
    src = null;
  }
  return findings.map((f) => {
    const pos = src !== null ? src.positionOf(f.path.split('.'), 'value') : { line: 1, column: 1 };
    return { code: f.code, severity: f.severity, path: f.path, message: f.message, line: pos.line, column: pos.column };
  });
}

/** The outcome with the pre-flight section and findings added. */
export function applyPreflight(outcome: PlanOutcome, text: string, result: PreflightResult): PlanOutcome {
  const located = locateFindings(text, result.findings);
  const errors = [...outcome.errors, ...located.filter((d) => d.severity === 'error')];
  const warnings = [...outcome.warnings, ...located.filter((d) => d.severity === 'warning')];
  const valid = outcome.valid && errors.length === 0;
  return { valid, errors, warnings, plan: valid ? outcome.plan : null, preflight: result.section };
}

/** The settings of a valid outcome's config, or null when the outcome has no plan (nothing to check). */
export function settingsOf(outcome: PlanOutcome, text: string): PreflightSettings | null {
  if (!outcome.valid || outcome.plan === null) return null;
  const v = validateConfigText(text);
  return v.config === null ? null : preflightSettings(v.config, outcome.plan);
}
