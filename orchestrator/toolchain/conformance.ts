/**
 * Conformance of one container argv against the pinned TensorRT-LLM 1.2 CLI surface (the fixture):
 * known tool, known flags (no legacy or removed ones), valid choices and value types, required
 * flags present, and the cross-flag constraints the fixture lists. Pure and fast: the fake
 * `docker` used in tests calls it on every inner argv.
 */
import { toolSurface } from './surface.js';
import type { FlagSpec, ToolName, ToolSurface } from './surface-types.js';
import { toolConstraintViolations } from './conformance-constraints.js';

export type { ParsedFlags } from './surface-types.js';

const QUANTIZE_PATH = /(^|\/)examples\/quantization\/quantize\.py$/;
const CONVERT_PATH = /(^|\/)examples\/models\/core\/([a-z0-9_]+)\/convert_checkpoint\.py$/;
const LEGACY_CONVERT_PATH = /(^|\/)examples\/([a-z0-9_]+)\/convert_checkpoint\.py$/;
/** The project's step scripts (`builder-image/steps/`, installed in the step image). */
const STEP_SCRIPT_PATH = /^\/opt\/trt-orchestrator\/steps\/(export_hf_checkpoint|encoder_server)\.py$/;
const INT = /^-?\d+$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Which tool an argv runs, and where its flags start; or a violation. */
function identifyTool(argv: readonly string[]): { tool: ToolName; start: number } | string {
  const [exe, script] = argv;
  if (exe === 'trtllm-build') return { tool: 'trtllm-build', start: 1 };
  if (exe === 'trtllm-serve') return { tool: 'trtllm-serve', start: argv[1] === 'serve' ? 2 : 1 };
  if (exe !== 'python3')
    return `argv[0] must be trtllm-build, trtllm-serve or python3 (got ${JSON.stringify(exe ?? '')})`;
  if (script === undefined) return 'python3 needs the path of quantize.py or a convert_checkpoint.py';
  if (QUANTIZE_PATH.test(script)) return { tool: 'quantize.py', start: 2 };
  const stepScript = STEP_SCRIPT_PATH.exec(script)?.[1];
  if (stepScript === 'export_hf_checkpoint' || stepScript === 'encoder_server')
    return { tool: `${stepScript}.py`, start: 2 };
  const family = CONVERT_PATH.exec(script)?.[2];
  if (family === 'llama' || family === 'qwen' || family === 'bert') {
    return { tool: `convert_checkpoint.py(${family})`, start: 2 };
  }
  if (family !== undefined)
    return `no convert_checkpoint.py surface for model family ${JSON.stringify(family)} in the pinned version`;
  if (LEGACY_CONVERT_PATH.test(script)) {
    return `legacy script path ${JSON.stringify(script)} (<=0.18 layout); 1.2 uses examples/models/core/<family>/convert_checkpoint.py`;
  }
  return `unknown script ${JSON.stringify(script)}: expected examples/quantization/quantize.py or examples/models/core/<family>/convert_checkpoint.py`;
}

/** Canonical flag name for a token (resolves aliases), or undefined when the tool has no such flag. */
function canonicalFlag(surface: ToolSurface, name: string): string | undefined {
  if (surface.flags[name]) return name;
  for (const [flag, spec] of Object.entries(surface.flags)) {
    if (spec.aliases?.includes(name)) return flag;
  }
  return undefined;
}

/** Problems with one value of a flag (type and choices). */
function valueViolation(flag: string, spec: FlagSpec, value: string): string | undefined {
  if (value === '') return `${flag}: empty value`;
  // Only numbers have a shape; str, path, choice, flag and bool values are free text here.
  if (spec.type === 'int' && !INT.test(value)) return `${flag}: expected an integer, got ${JSON.stringify(value)}`;
  if (spec.type === 'float' && !FLOAT.test(value)) return `${flag}: expected a number, got ${JSON.stringify(value)}`;
  if (spec.choices) {
    const v = spec.case_insensitive ? value.toLowerCase() : value;
    const canonical = spec.value_aliases?.[v] ?? v;
    if (!spec.choices.some((c) => String(c) === canonical)) {
      return `${flag}: ${JSON.stringify(value)} is not one of ${spec.choices.join(', ')}`;
    }
  }
  return undefined;
}

/** A value token: present, and not the next `--flag` (a single dash may start a negative number). */
const isValue = (token: string | undefined): token is string => token !== undefined && !token.startsWith('--');

/** Splits argv (after the tool) into flags and positionals; reports unknown, legacy and malformed flags. */
function parseFlags(
  tool: ToolName,
  surface: ToolSurface,
  args: readonly string[],
  violations: string[],
): { flags: Map<string, string[]>; positionals: string[] } {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  let i = 0;
  for (let token = args[i]; token !== undefined; token = args[i]) {
    i += 1;
    if (!token.startsWith('-') || INT.test(token)) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token : token.slice(0, eq);
    const inline = eq === -1 ? undefined : token.slice(eq + 1);
    const flag = canonicalFlag(surface, name);
    if (!flag) {
      if (surface.legacy_flags_must_reject?.includes(name))
        violations.push(`${name}: legacy flag rejected by ${tool} 1.2`);
      else if (surface.removed_flags && name in surface.removed_flags)
        violations.push(`${name}: removed from ${tool} in 1.2`);
      else violations.push(`${name}: unknown flag for ${tool}`);
      while (isValue(args[i])) i += 1;
      continue;
    }
    const spec = surface.flags[flag] as FlagSpec;
    if (flags.has(flag)) violations.push(`${flag}: given more than once`);
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else if (spec.type !== 'flag') {
      const many = spec.nargs === '+';
      while (many || values.length === 0) {
        const next = args[i];
        if (!isValue(next)) break;
        values.push(next);
        i += 1;
      }
    }
    if (spec.type === 'flag' && values.length > 0)
      violations.push(`${flag}: takes no value (got ${JSON.stringify(values[0])})`);
    if (spec.type !== 'flag' && values.length === 0 && spec.nargs !== '?') violations.push(`${flag}: missing value`);
    if (spec.type !== 'flag') {
      for (const v of values) {
        const problem = valueViolation(flag, spec, v);
        if (problem) violations.push(problem);
      }
    }
    flags.set(flag, values);
  }
  return { flags, positionals };
}

/** Violations (empty = conforming) of one container argv against the pinned version's CLI surface. */
export function checkToolArgv(argv: readonly string[]): string[] {
  const id = identifyTool(argv);
  if (typeof id === 'string') return [id];
  const surface = toolSurface(id.tool);
  const violations: string[] = [];
  const { flags, positionals } = parseFlags(id.tool, surface, argv.slice(id.start), violations);
  const expected = surface.positional ?? [];
  if (positionals.length !== expected.length) {
    // Stryker disable next-line StringLiteral: no tool of the fixture takes two positionals (trtllm-serve: MODEL)
    const names = expected.join(' ');
    violations.push(
      expected.length === 0
        ? `unexpected positional argument(s) ${positionals.map((p) => JSON.stringify(p)).join(' ')}`
        : `${id.tool} needs ${expected.length} positional argument(s) (${names}), got ${positionals.length}`,
    );
  }
  for (const [flag, spec] of Object.entries(surface.flags)) {
    if (spec.required && !flags.has(flag)) violations.push(`${flag}: required by ${id.tool}`);
  }
  violations.push(...toolConstraintViolations(id.tool, flags));
  return violations;
}
