/**
 * Planner throughput over the valid corpus (and the recipes), in one process. Prints plans/s for
 * the planner alone (`makePlan` on validated configs) and end to end (`planConfigText`: parse,
 * validate and plan), and the conformance check of every planned argv (`checkToolArgv`, argv/s).
 * Usage: `npx tsx bench/plan.ts [corpus dir]` (default ../shared/corpus/trt_llm).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateConfigText } from '../orchestrator/config/index.js';
import type { ValidatedConfig } from '../orchestrator/config/index.js';
import { makePlan } from '../orchestrator/plan/make-plan.js';
import { planConfigText } from '../orchestrator/plan/plan-config.js';
import { checkToolArgv } from '../orchestrator/toolchain/conformance.js';
import { CORPUS_DIR } from '../test/support/shared-paths.js';

const corpusDir = resolve(process.argv[2] ?? CORPUS_DIR);
const recipesDir = join(import.meta.dirname, '..', 'recipes');
const read = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
const texts = [...read(corpusDir), ...read(recipesDir)];
const plannable = texts.filter((t) => planConfigText(t).plan !== null);
const configs = plannable.map((t) => validateConfigText(t).config).filter((c): c is ValidatedConfig => c !== null);

/** Runs `fn` over `items` for `rounds` rounds after a warm-up; returns items per second. */
function rate<T>(items: readonly T[], rounds: number, fn: (item: T) => unknown): number {
  for (const item of items) fn(item);
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r += 1) for (const item of items) fn(item);
  return (rounds * items.length) / (Number(process.hrtime.bigint() - start) / 1e9);
}

const planOnly = rate(configs, 20, (c) => makePlan(c));
const endToEnd = rate(plannable, 5, (t) => planConfigText(t));
console.log(`${texts.length} configs read, ${plannable.length} planned`);
console.log(`makePlan (validated config -> plan): ${Math.round(planOnly)} plans/s (target > 2000)`);
console.log(`planConfigText (text -> validate -> plan): ${Math.round(endToEnd)} plans/s`);
const argvs = plannable.flatMap((t) =>
  (planConfigText(t).plan?.steps ?? []).flatMap((st) => (st.argv.length > 0 ? [st.argv] : [])),
);
const argvRate = rate(argvs, 20, (argv) => checkToolArgv(argv));
console.log(`checkToolArgv (conformance of planned argv): ${Math.round(argvRate)} argv/s (target > 10000)`);
