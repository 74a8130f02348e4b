/**
 * `npm run mutation`: mutation testing of the pure core, each file against its own unit tests, and
 * one score table at the end. (One Stryker run over the whole suite takes hours on a 2-core machine:
 * a static mutant — a module-level table such as the LoRA module names — runs every test.)
 *
 *   npm run mutation                 the issue-13 targets (rules, build/, classify-failure, argv builders, plan hash),
 *                                    gpu/, the rest of toolchain/ (Triton config, CLI conformance, lanes, images),
 *                                    and the rest of plan/ (planner, v1/v2 bodies, engine settings, text output)
 *   npm run mutation -- all          also the rest of the core (the config/ schema)
 *   npm run mutation -- rules-sizes  one group by name (see GROUPS); several names allowed
 *   ... --force                      re-run every mutant (after tests changed; otherwise incremental)
 *
 * Reports: reports/mutation/<group>.json (mutation-testing-report schema) and the table on stdout.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

interface Group {
  readonly name: string;
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
  /** Part of the issue-13 targets (run by default). */
  readonly target: boolean;
}

const ROOT = join(import.meta.dirname, '..', '..');
const rule = (file: string, tests: string[]): Group => ({
  name: `rules-${file}`,
  mutate: [`orchestrator/config/rules/${file}.ts`],
  tests,
  target: true,
});
const own = (name: string, mutate: string, tests: string[], target = true): Group => ({
  name,
  mutate: [mutate],
  tests,
  target,
});
const RULES_TABLE = 'test/unit/config/rules.test.ts';
const KV = 'test/unit/config/rules-gpu-kv-versions.test.ts';

export const GROUPS: readonly Group[] = [
  rule('checkpoint', ['test/unit/config/rules-checkpoint.test.ts', RULES_TABLE]),
  rule('sizes', ['test/unit/config/rules-sizes.test.ts', RULES_TABLE]),
  rule('speculator', ['test/unit/config/rules-speculator.test.ts', RULES_TABLE]),
  rule('v2-stack', ['test/unit/config/rules-v2-stack.test.ts', RULES_TABLE]),
  rule('lora', ['test/unit/config/rules-lora.test.ts']),
  rule('parallelism', ['test/unit/config/rules-parallelism.test.ts']),
  rule('gpu', [KV]),
  rule('kv-cache', [KV]),
  rule('version-overrides', [KV]),
  rule('runtime-values', ['test/unit/config/runtime-values.test.ts']),
  rule('index', [RULES_TABLE]),
  own('build', 'orchestrator/build/*.ts', ['test/unit/build/*.test.ts']),
  own('classify-failure', 'orchestrator/exec/classify-failure.ts', [
    'test/unit/exec/classify-failure.test.ts',
    'test/unit/exec/classify-failure-rules.test.ts',
  ]),
  own('engine-argv', 'orchestrator/toolchain/engine-argv.ts', ['test/unit/toolchain/engine-argv-mutation.test.ts']),
  own('engine-settings', 'orchestrator/toolchain/engine-settings.ts', ['test/unit/toolchain/engine-settings.test.ts']),
  own('launch-decoder', 'orchestrator/toolchain/launch-decoder.ts', ['test/unit/toolchain/launch-decoder.test.ts']),
  own('launch-encoder', 'orchestrator/toolchain/launch-encoder.ts', ['test/unit/toolchain/launch-encoder.test.ts']),
  own('launch-pytorch', 'orchestrator/toolchain/launch-pytorch.ts', ['test/unit/toolchain/launch-pytorch.test.ts']),
  own('step-scripts', 'orchestrator/toolchain/step-scripts.ts', ['test/unit/toolchain/step-scripts-argv.test.ts']),
  own('triton-config', 'orchestrator/toolchain/triton-config.ts', ['test/unit/toolchain/triton-config-exact.test.ts']),
  own('conformance-constraints', 'orchestrator/toolchain/conformance-constraints.ts', [
    'test/unit/toolchain/conformance-constraints.test.ts',
    'test/unit/toolchain/conformance.test.ts',
  ]),
  own('surface', 'orchestrator/toolchain/surface.ts', [
    'test/unit/toolchain/surface.test.ts',
    'test/unit/toolchain/surface-text.test.ts',
  ]),
  own('lanes', 'orchestrator/toolchain/lanes.ts', [
    'test/unit/toolchain/lanes.test.ts',
    'test/unit/toolchain/lanes-exact.test.ts',
  ]),
  own('runtime-images', 'orchestrator/toolchain/runtime-images.ts', [
    'test/unit/toolchain/runtime-images.test.ts',
    'test/unit/toolchain/runtime-images-exact.test.ts',
  ]),
  own('conformance', 'orchestrator/toolchain/conformance.ts', [
    'test/unit/toolchain/conformance.test.ts',
    'test/unit/toolchain/conformance-exact.test.ts',
  ]),
  own('plan-hash', 'orchestrator/plan/plan-hash.ts', [
    'test/unit/plan/plan-hash.test.ts',
    'test/unit/plan/plan-hash-fields.test.ts',
  ]),
  own('plan-steps', 'orchestrator/plan/steps.ts', ['test/unit/plan/h3-steps.test.ts']),
  own('shell-quote', 'orchestrator/plan/shell-quote.ts', ['test/unit/plan/render-plan.test.ts']),
  own('plan-error', 'orchestrator/plan/plan-error.ts', ['test/unit/plan/plan-errors.test.ts']),
  own('planner-options', 'orchestrator/plan/planner-options.ts', ['test/unit/plan/planner-options.test.ts']),
  own('derive-engine', 'orchestrator/plan/derive-engine.ts', ['test/unit/plan/derive-engine.test.ts']),
  own('plan-files', 'orchestrator/plan/plan-files.ts', ['test/unit/plan/render-plan.test.ts']),
  own('render-plan', 'orchestrator/plan/render-plan.ts', [
    'test/unit/plan/render-plan-exact.test.ts',
    'test/unit/plan/render-plan.test.ts',
  ]),
  own('plan-config', 'orchestrator/plan/plan-config.ts', [
    'test/unit/plan/plan-config.test.ts',
    'test/unit/plan/plan-config-internal.test.ts',
  ]),
  own('plan-v2', 'orchestrator/plan/plan-v2.ts', ['test/unit/plan/plan-v2.test.ts']),
  own('plan-v1', 'orchestrator/plan/plan-v1.ts', [
    'test/unit/plan/plan-v1.test.ts',
    'test/unit/plan/make-plan.test.ts',
    'test/unit/plan/golden.test.ts',
  ]),
  own('make-plan', 'orchestrator/plan/make-plan.ts', [
    'test/unit/plan/make-plan-exact.test.ts',
    'test/unit/plan/make-plan.test.ts',
    'test/unit/plan/plan-errors.test.ts',
  ]),
  // The rest of the core, against its folder's tests (`all`).
  own('config', 'orchestrator/config/*.ts', ['test/unit/config/*.test.ts'], false),
  own('gpu', 'orchestrator/gpu/*.ts', [
    'test/unit/gpu/*.test.ts',
    'test/unit/config/parse-accelerator.test.ts',
    'test/unit/exec/gpu-inventory.test.ts',
  ]),
];

interface ReportMutant {
  readonly status: string;
}
interface Report {
  readonly files: Record<string, { readonly mutants: readonly ReportMutant[] }>;
}

interface Row {
  file: string;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  ignored: number;
}

/** Stryker's score: (killed + timeout) / (killed + timeout + survived + no coverage). */
function score(r: Row): number {
  const valid = r.killed + r.survived + r.noCoverage;
  return valid === 0 ? 100 : (100 * r.killed) / valid;
}

function rowsOf(report: Report): Row[] {
  return Object.entries(report.files).map(([file, f]) => {
    const count = (...s: string[]): number => f.mutants.filter((m) => s.includes(m.status)).length;
    return {
      file,
      mutants: f.mutants.length,
      killed: count('Killed', 'Timeout'),
      survived: count('Survived'),
      noCoverage: count('NoCoverage'),
      ignored: count('Ignored'),
    };
  });
}

function main(): void {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const chosen =
    names.length === 0
      ? GROUPS.filter((g) => g.target)
      : names.includes('all')
        ? GROUPS
        : GROUPS.filter((g) => names.includes(g.name));
  const unknown = names.filter((n) => n !== 'all' && !GROUPS.some((g) => g.name === n));
  if (unknown.length > 0) {
    console.error(`unknown group(s): ${unknown.join(', ')}; known: ${GROUPS.map((g) => g.name).join(', ')}`);
    process.exit(2);
  }
  const dir = join(ROOT, 'reports', 'mutation');
  mkdirSync(dir, { recursive: true });
  const rows: Row[] = [];
  for (const g of chosen) {
    console.log(`\n== ${g.name}: ${g.mutate.join(' ')} against ${g.tests.join(' ')}`);
    const argv = ['stryker', 'run', 'stryker.config.mjs', '--mutate', g.mutate.join(',')];
    argv.push('--incrementalFile', `reports/mutation/${g.name}.incremental.json`, '--reporters', 'json,clear-text');
    if (force) argv.push('--force');
    execFileSync('npx', argv, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, MUTATION_TESTS: g.tests.join(',') },
    });
    const out = join(dir, `${g.name}.json`);
    copyFileSync(join(dir, 'mutation.json'), out);
    rows.push(...rowsOf(JSON.parse(readFileSync(out, 'utf8')) as Report));
  }
  console.log('\n| file | mutants | killed | survived | no coverage | ignored (marked) | score |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows.sort((a, b) => a.file.localeCompare(b.file)))
    console.log(
      `| \`${r.file.replace(/^orchestrator\//, '')}\` | ${r.mutants} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${r.ignored} | ${score(r).toFixed(1)}% |`,
    );
  const total = rows.reduce(
    (t, r) => ({
      ...t,
      mutants: t.mutants + r.mutants,
      killed: t.killed + r.killed,
      survived: t.survived + r.survived,
      noCoverage: t.noCoverage + r.noCoverage,
      ignored: t.ignored + r.ignored,
    }),
    { file: 'total', mutants: 0, killed: 0, survived: 0, noCoverage: 0, ignored: 0 },
  );
  console.log(
    `| total | ${total.mutants} | ${total.killed} | ${total.survived} | ${total.noCoverage} | ${total.ignored} | ${score(total).toFixed(1)}% |`,
  );
}

main();
