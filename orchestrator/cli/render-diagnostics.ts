/** Text and JSON renderings of diagnostics and plan output. Pure. */
import type { Diagnostic } from '../config/diagnostic.js';
import type { BuildPlan } from '../plan/types.js';

/** What `trt-plan` reports: the validator's (later the planner's) verdict plus the plan. */
export interface PlanOutput {
  readonly valid: boolean;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  readonly plan: BuildPlan | null;
}

function clean(text: string): string {
  // One diagnostic per line: no control characters from hostile input reach the terminal.
  let out = '';
  for (const ch of text) out += ch < ' ' || ch === '\u007f' ? ' ' : ch;
  return out;
}

/** `file:line:col: severity CODE path: message`, one line. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const path = d.path === '' ? '' : ` ${clean(d.path)}`;
  return `${clean(file)}:${d.line}:${d.column}: ${d.severity} ${d.code}${path}: ${clean(d.message)}`;
}

/** All diagnostics in file order (errors and warnings merged), a summary line, then the rendered plan. */
export function renderText(
  file: string,
  out: PlanOutput,
  renderPlan: (plan: BuildPlan) => string = (p) => JSON.stringify(p, null, 2),
): string {
  const all = [...out.errors, ...out.warnings].sort((a, b) => a.line - b.line || a.column - b.column);
  const lines = all.map((d) => formatDiagnostic(file, d));
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const verdict = out.valid ? 'valid' : 'invalid';
  lines.push(
    `${clean(file)}: ${verdict} (${count(out.errors.length, 'error')}, ${count(out.warnings.length, 'warning')})`,
  );
  const text = `${lines.join('\n')}\n`;
  return out.valid && out.plan !== null ? `${text}\n${renderPlan(out.plan)}` : text;
}

/** The `--json` object: {valid, errors, warnings, plan} with D = {code, severity, path, message, line, column}. */
export function renderJson(out: PlanOutput): string {
  const d = (x: Diagnostic): Diagnostic => ({
    code: x.code,
    severity: x.severity,
    path: x.path,
    message: x.message,
    line: x.line,
    column: x.column,
  });
  return `${JSON.stringify({ valid: out.valid, errors: out.errors.map(d), warnings: out.warnings.map(d), plan: out.plan }, null, 2)}\n`;
}
