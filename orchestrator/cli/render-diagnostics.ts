/** Text and JSON renderings of diagnostics and plan output. Pure. */
import type { Diagnostic } from '../config/diagnostic.js';

/** What `trt-plan` reports: the validator's (later the planner's) verdict plus the plan. */
export interface PlanOutput {
  readonly valid: boolean;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  readonly plan: unknown;
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

/** All diagnostics in file order (errors and warnings merged), then a summary line. */
export function renderText(file: string, out: PlanOutput): string {
  const all = [...out.errors, ...out.warnings].sort((a, b) => a.line - b.line || a.column - b.column);
  const lines = all.map((d) => formatDiagnostic(file, d));
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const verdict = out.valid ? 'valid' : 'invalid';
  lines.push(`${clean(file)}: ${verdict} (${count(out.errors.length, 'error')}, ${count(out.warnings.length, 'warning')})`);
  if (out.valid && out.plan !== null && out.plan !== undefined) lines.push(JSON.stringify(out.plan, null, 2));
  return `${lines.join('\n')}\n`;
}

/** The `--json` object: {valid, errors, warnings, plan} with D = {code, severity, path, message, line, column}. */
export function renderJson(out: PlanOutput): string {
  const d = (x: Diagnostic): Diagnostic => ({ code: x.code, severity: x.severity, path: x.path, message: x.message, line: x.line, column: x.column });
  return `${JSON.stringify({ valid: out.valid, errors: out.errors.map(d), warnings: out.warnings.map(d), plan: out.plan ?? null }, null, 2)}\n`;
}
