/**
 * `trt-plan`: validate a Truss config.yaml (and, once the planner exists, print its build plan).
 * Exit codes are decided here only: 0 valid, 1 invalid config, 2 usage or I/O error.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { configJsonSchema } from '../config/json-schema.js';
import { planFiles } from '../plan/plan-files.js';
import { renderPlanText } from '../plan/render-plan.js';
import type { BuildPlan } from '../plan/types.js';
import { parseArgs, USAGE } from './parse-args.js';
import type { PreflightSection } from '../preflight/types.js';
import { planText, renderPreflightText } from './plan-text.js';
import { readConfigFile, readLimited } from './read-input.js';
import { renderJson, renderText } from './render-diagnostics.js';
import type { PlanOutput } from './render-diagnostics.js';

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Environment for `--online` (default `process.env`): HF_TOKEN, HF_ENDPOINT, AWS_*, … */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

// Writes the plan files under DIR, each via a temporary file and a rename (plan.json last), so a
// reader never sees half a file and a present plan.json means the set is complete.
async function writeOut(dir: string, plan: BuildPlan): Promise<void> {
  const files = planFiles(plan);
  for (const f of files) {
    const rel = normalize(f.path);
    if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`))
      throw Object.assign(new Error('unsafe path'), { code: 'EUNSAFEPATH' });
  }
  const ordered = [...files.filter((f) => f.path !== 'plan.json'), ...files.filter((f) => f.path === 'plan.json')];
  for (const f of ordered) {
    const target = join(dir, normalize(f.path));
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, f.content);
    await rename(tmp, target);
  }
}

function inputProblem(kind: 'too-large' | 'not-utf8', message: string): PlanOutput {
  const code = kind === 'too-large' ? 'CONFIG_TOO_LARGE' : 'CONFIG_NOT_UTF8';
  return {
    valid: false,
    errors: [{ code, severity: 'error', path: '', message, line: 1, column: 1 }],
    warnings: [],
    plan: null,
  };
}

// --online: the same hook the API runs, built from the environment (loaded only when asked, so
// offline runs stay pure and the bundle's offline path never touches a network client).
async function preflightOnline(
  out: PlanOutput,
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<PlanOutput & { preflight?: PreflightSection }> {
  if (!out.valid || out.plan === null) return out;
  const { preflightHookFromEnv } = await import('../storage/facts/preflight-from-env.js');
  return preflightHookFromEnv(env, {})(out, text);
}

// JSON output: the `--json` object, plus `preflight` when pre-flight ran (offline output is unchanged).
function jsonWithPreflight(out: PlanOutput & { preflight?: PreflightSection }): string {
  if (out.preflight === undefined) return renderJson(out);
  return `${JSON.stringify({ ...(JSON.parse(renderJson(out)) as object), preflight: out.preflight }, null, 2)}\n`;
}

// Text output: diagnostics and plan, then the pre-flight section, or what offline could not check.
function textWithPreflight(label: string, out: PlanOutput & { preflight?: PreflightSection }): string {
  const text = renderText(label, out, renderPlanText);
  if (out.preflight !== undefined) return `${text}\n${renderPreflightText(out.preflight)}`;
  if (!out.valid) return text;
  return `${text}\npre-flight: not checked offline (architecture, heads vs tensor parallelism, context length, memory, disk, LoRA adapters); run with --online to read the checkpoint's config.json\n`;
}

/** Runs the CLI; resolves to the exit code and never rejects. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.kind) {
      case 'help':
        await write(io.stdout, USAGE);
        return EXIT_VALID;
      case 'usage-error':
        await write(io.stderr, `trt-plan: ${cmd.message}\n\n${USAGE}`);
        return EXIT_USAGE;
      case 'schema':
        await write(io.stdout, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return EXIT_VALID;
      case 'plan':
        break;
    }
    const label = cmd.file === '-' ? '<stdin>' : cmd.file;
    const read = cmd.file === '-' ? await readLimited(io.stdin) : await readConfigFile(cmd.file);
    if (!read.ok && read.kind === 'io') {
      await write(io.stderr, `trt-plan: cannot read ${JSON.stringify(label)}: ${read.message}\n`);
      return EXIT_USAGE;
    }
    let out: PlanOutput & { preflight?: PreflightSection };
    if (!read.ok) out = inputProblem(read.kind, read.message);
    else {
      const planned = planText(read.text);
      out = cmd.online === true ? await preflightOnline(planned, read.text, io.env ?? process.env) : planned;
    }
    if (out.valid && out.plan !== null && cmd.outDir !== null) {
      try {
        await writeOut(cmd.outDir, out.plan);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'write failed';
        await write(io.stderr, `trt-plan: cannot write ${JSON.stringify(cmd.outDir)}: ${code}\n`);
        return EXIT_USAGE;
      }
    }
    await write(io.stdout, cmd.json ? jsonWithPreflight(out) : textWithPreflight(label, out));
    return out.valid ? EXIT_VALID : EXIT_INVALID;
  } catch (err) {
    await write(io.stderr, `trt-plan: internal error: ${err instanceof Error ? err.name : 'unknown'}\n`);
    return EXIT_USAGE;
  }
}
