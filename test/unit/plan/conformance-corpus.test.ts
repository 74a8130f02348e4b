/**
 * Conformance of everything the planner emits: for every recipe and every corpus config the
 * planner accepts, each step argv and each trtllm-serve launch argv passes checkToolArgv, each
 * LLM API YAML key and Triton parameter exists in the fixture, and no secret value appears
 * anywhere in the plan.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import { cliSurface, llmApiNestedKeys, llmApiTopLevelKeys } from '../../../orchestrator/toolchain/surface.js';

const RECIPES = new URL('../../../recipes/', import.meta.url);
const CORPUS = new URL('../../../../shared/corpus/trt_llm/', import.meta.url);

function load(dir: URL): Array<{ name: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(new URL(name, dir), 'utf8') }));
}

/** Non-empty secret values written in a config (they must never reach a plan). */
function secretValues(text: string): string[] {
  const doc: unknown = parse(text);
  const secrets = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['secrets'] : undefined;
  if (typeof secrets !== 'object' || secrets === null) return [];
  return Object.values(secrets).filter((v): v is string => typeof v === 'string' && v.length >= 6);
}

/** Every conformance problem of one plan. */
function planProblems(plan: BuildPlan): string[] {
  const problems: string[] = [];
  for (const step of plan.steps) {
    if (step.argv.length > 0) problems.push(...checkToolArgv(step.argv).map((v) => `${step.id}: ${v}`));
    if (step.kind !== 'fetch' && step.kind !== 'publish' && step.image !== plan.lane.image) problems.push(`${step.id}: image is not the lane's`);
  }
  for (const [name, launch] of Object.entries(plan.launch)) {
    if (launch.argv[0] === 'trtllm-serve') {
      problems.push(...checkToolArgv(launch.argv).map((v) => `launch ${name}: ${v}`));
      const backend = launch.argv[launch.argv.indexOf('--backend') + 1] === 'pytorch' ? 'pytorch' : 'tensorrt';
      const top = llmApiTopLevelKeys(backend);
      for (const file of launch.files.filter((f) => f.path.endsWith('.yaml'))) {
        const options = parse(file.content) as Record<string, unknown>;
        for (const [key, value] of Object.entries(options)) {
          if (!top.has(key)) problems.push(`launch ${name}: YAML key ${key} not in the fixture`);
          const nested = llmApiNestedKeys(key);
          if (nested && typeof value === 'object' && value !== null && !Array.isArray(value)) {
            for (const sub of Object.keys(value)) if (!nested.has(sub)) problems.push(`launch ${name}: YAML key ${key}.${sub} not in the fixture`);
          }
        }
      }
    }
    for (const file of launch.files.filter((f) => f.path.endsWith('config.pbtxt'))) {
      const known = cliSurface().triton_config_pbtxt.parameters;
      for (const [, key] of file.content.matchAll(/key: "([^"]+)"/g)) {
        if (!key || !(key in known)) problems.push(`launch ${name}: Triton parameter ${key ?? ''} not in the fixture`);
      }
    }
  }
  return problems;
}

const recipes = load(RECIPES);
const corpus = load(CORPUS);

describe('conformance of generated plans', () => {
  it.each(recipes.map((r) => [r.name, r.text]))('recipe %s', (_name, text) => {
    const r = planConfigText(text);
    expect(r.plan).not.toBeNull();
    expect(planProblems(r.plan as BuildPlan)).toEqual([]);
  });

  it.skipIf(corpus.length === 0)('every corpus config the planner accepts', () => {
    let planned = 0;
    const problems: string[] = [];
    for (const { name, text } of corpus) {
      const r = planConfigText(text);
      if (!r.plan) continue;
      planned += 1;
      problems.push(...planProblems(r.plan).map((p) => `${name}: ${p}`));
      const json = JSON.stringify(r.plan);
      for (const secret of secretValues(text)) if (json.includes(secret)) problems.push(`${name}: secret value in plan`);
    }
    expect(problems).toEqual([]);
    // Most of the corpus is valid under the validator; the planner must plan nearly all of it.
    expect(planned).toBeGreaterThan(300);
  });

  it('never copies a secret value into a plan', () => {
    const text = readFileSync(new URL('llama-3.1-8b-fp8-h100.yaml', RECIPES), 'utf8').replace(
      'hf_access_token: null',
      'hf_access_token: hf_SUPERSECRETVALUE123',
    );
    const r = planConfigText(text);
    const json = JSON.stringify(r);
    expect(json).not.toContain('hf_SUPERSECRETVALUE123');
  });
});
