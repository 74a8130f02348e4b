/**
 * `trt-plan`: validate a Truss config.yaml (and, once the planner exists, print its build plan).
 * Exit codes are decided here only: 0 valid, 1 invalid config, 2 usage or I/O error.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configJsonSchema } from '../config/json-schema.js';
import { parseArgs, USAGE } from './parse-args.js';
import { planText } from './plan-text.js';
import { readConfigFile, readLimited } from './read-input.js';
import { renderJson, renderText } from './render-diagnostics.js';
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

// Writes DIR/plan.json via a temporary file and a rename, so a reader never sees half a file.
async function writeOut(dir: string, json: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, 'plan.json');
  const tmp = join(dir, `.plan.json.${process.pid}.tmp`);
  await writeFile(tmp, json);
  await rename(tmp, target);
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
    const out = read.ok ? planText(read.text) : inputProblem(read.kind, read.message);
    const json = renderJson(out);
    if (out.valid && cmd.outDir !== null) {
      try {
        await writeOut(cmd.outDir, json);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'write failed';
        await write(io.stderr, `trt-plan: cannot write ${JSON.stringify(cmd.outDir)}: ${code}\n`);
        return EXIT_USAGE;
      }
    }
    await write(io.stdout, cmd.json ? json : renderText(label, out));
    return out.valid ? EXIT_VALID : EXIT_INVALID;
  } catch (err) {
    await write(io.stderr, `trt-plan: internal error: ${err instanceof Error ? err.name : 'unknown'}\n`);
    return EXIT_USAGE;
  }
}
