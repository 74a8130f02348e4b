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
import { planText } from './plan-text.js';
import { readConfigFile, readLimited } from './read-input.js';
import { renderJson, renderText, withCharColumns } from './render-diagnostics.js';
import type { PlanOutput } from './render-diagnostics.js';

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
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
    if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) throw Object.assign(new Error('unsafe path'), { code: 'EUNSAFEPATH' });
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
  return { valid: false, errors: [{ code, severity: 'error', path: '', message, line: 1, column: 1 }], warnings: [], plan: null };
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
    const out = read.ok ? withCharColumns(read.text, planText(read.text)) : inputProblem(read.kind, read.message);
    if (out.valid && out.plan !== null && cmd.outDir !== null) {
      try {
        await writeOut(cmd.outDir, out.plan);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'write failed';
        await write(io.stderr, `trt-plan: cannot write ${JSON.stringify(cmd.outDir)}: ${code}\n`);
        return EXIT_USAGE;
      }
    }
    await write(io.stdout, cmd.json ? renderJson(out) : renderText(label, out, renderPlanText));
    return out.valid ? EXIT_VALID : EXIT_INVALID;
  } catch (err) {
    await write(io.stderr, `trt-plan: internal error: ${err instanceof Error ? err.name : 'unknown'}\n`);
    return EXIT_USAGE;
  }
}
