/**
 * The project's step scripts (builder-image/steps/): their Python unit tests (stubbed torch,
 * transformers, datasets, modelopt, tensorrt_llm.runtime) pass; their argparse surfaces equal the
 * surfaces the conformance checker uses; and every argv the planner writes for them (recipes and
 * every plannable corpus config) is accepted by the scripts' own argument parsers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import {
  ENCODER_SERVER_SURFACE,
  EXPORT_HF_CHECKPOINT_SURFACE,
} from '../../../orchestrator/toolchain/surface-supplement.js';
import { ENCODER_SERVER_SCRIPT, EXPORT_HF_CHECKPOINT_SCRIPT } from '../../../orchestrator/toolchain/step-scripts.js';
import { CORPUS_DIR } from '../../support/shared-paths.js';

const STEPS = fileURLToPath(new URL('../../../builder-image/steps/', import.meta.url));
const SURFACE_TOOL = `${STEPS}argparse_surface.py`;
/** No __pycache__ in the source tree. */
const ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const SCRIPTS = {
  [EXPORT_HF_CHECKPOINT_SCRIPT]: 'export_hf_checkpoint.py',
  [ENCODER_SERVER_SCRIPT]: 'encoder_server.py',
} as const;

function python(args: string[], input?: string): string {
  return execFileSync('python3', args, {
    cwd: STEPS,
    input,
    env: ENV,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Every argv (steps and launch configs) the planner writes for a step script, by script. */
function plannedArgvs(): Map<string, string[][]> {
  const dirs = [new URL('../../../recipes/', import.meta.url), pathToFileURL(`${CORPUS_DIR}/`)];
  const out = new Map<string, string[][]>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const plan = planConfigText(readFileSync(new URL(name, dir), 'utf8')).plan;
      if (!plan) continue;
      for (const argv of [...plan.steps.map((s) => s.argv), ...Object.values(plan.launch).map((l) => l.argv)]) {
        const script = argv[1];
        if (argv[0] === 'python3' && script !== undefined && script in SCRIPTS)
          out.set(script, [...(out.get(script) ?? []), argv.slice(2)]);
      }
    }
  }
  return out;
}

describe('step scripts', () => {
  it('pass their Python unit tests (stubbed libraries, no GPU)', () => {
    const r = execFileSync('python3', ['-m', 'unittest', 'discover', '-s', STEPS, '-p', 'test_*.py'], {
      env: ENV,
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(typeof r).toBe('string'); // execFileSync throws on a non-zero exit
  }, 180_000);

  it.each([
    ['export_hf_checkpoint.py', EXPORT_HF_CHECKPOINT_SURFACE],
    ['encoder_server.py', ENCODER_SERVER_SURFACE],
  ] as const)(
    '%s: argparse surface equals the conformance surface',
    (script, surface) => {
      const actual = JSON.parse(python([SURFACE_TOOL, script])) as Record<string, unknown>;
      const expected = Object.fromEntries(
        Object.entries(surface.flags).map(([flag, spec]) => [
          flag,
          {
            type: spec.type,
            ...(spec.required ? { required: true } : { default: spec.default ?? null }),
            ...(spec.choices ? { choices: spec.choices } : {}),
          },
        ]),
      );
      expect(actual).toEqual(expected);
    },
    60_000,
  );

  it('accepts every argv the planner writes for them (recipes and corpus)', () => {
    const planned = plannedArgvs();
    expect(planned.get(EXPORT_HF_CHECKPOINT_SCRIPT)?.length ?? 0).toBeGreaterThan(0);
    expect(planned.get(ENCODER_SERVER_SCRIPT)?.length ?? 0).toBeGreaterThan(0);
    for (const [script, argvs] of planned) {
      const results = JSON.parse(
        python([SURFACE_TOOL, SCRIPTS[script as keyof typeof SCRIPTS], '--parse'], JSON.stringify(argvs)),
      ) as (string | null)[];
      const rejected = results.flatMap((r, i) => (r === null ? [] : [`${r}: ${JSON.stringify(argvs[i])}`]));
      expect(rejected).toEqual([]);
    }
  }, 180_000);

  it('the argv check fails on an argv the script refuses', () => {
    const results = JSON.parse(
      python(
        [SURFACE_TOOL, 'export_hf_checkpoint.py', '--parse'],
        JSON.stringify([['--model_dir', 'm', '--output_dir', 'o', '--qformat', 'int8_sq', '--calib_dataset', 'd']]),
      ),
    ) as (string | null)[];
    expect(results[0]).toMatch(/invalid choice: 'int8_sq'/);
  }, 60_000);
});
