/**
 * Conformance of everything the planner emits: for every recipe and every corpus config the
 * planner accepts, each step argv and each trtllm-serve launch argv passes checkToolArgv, each
 * LLM API YAML key and Triton parameter exists in the fixture, every launch config matches the
 * engine it ships with (sizes, lookahead draft length, LoRA rank), and no secret value appears
 * anywhere in the plan.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import { cliSurface, llmApiNestedKeys, llmApiTopLevelKeys } from '../../../orchestrator/toolchain/surface.js';
import { CORPUS_DIR } from '../../support/shared-paths.js';
import { checkPlanBundle } from '../../../orchestrator/bundle/contract.js';
import { STEPS_DIR } from '../../../orchestrator/toolchain/layout.js';
import { plannedView } from '../../fixtures/servers/bundle-view.js';
import { launchProblems } from '../../fixtures/servers/fake-launch.js';
import { fakeArtifactFile } from '../../fixtures/servers/fake-step-outputs.js';

const RECIPES = new URL('../../../recipes/', import.meta.url);
const CORPUS = pathToFileURL(`${CORPUS_DIR}/`);

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
    // The project's step scripts run in the step image (lane image + scripts); everything else in the lane image.
    const expectedImage = step.argv[1]?.startsWith(`${STEPS_DIR}/`) ? plan.lane.stepsImage : plan.lane.image;
    if (step.kind !== 'fetch' && step.kind !== 'publish' && step.image !== expectedImage)
      problems.push(`${step.id}: image is not the lane's`);
  }
  problems.push(...checkPlanBundle(plan).map((p) => `bundle: launch ${p.launch} ${p.message}`));
  const view = plannedView(plan, fakeArtifactFile(plan));
  for (const [name, launch] of Object.entries(plan.launch)) {
    problems.push(...launchProblems(launch, view).map((p) => `launch ${name} would not serve: ${p}`));
    if (launch.argv[1]?.startsWith(`${STEPS_DIR}/`))
      problems.push(...checkToolArgv(launch.argv).map((v) => `launch ${name}: ${v}`));
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
            for (const sub of Object.keys(value))
              if (!nested.has(sub)) problems.push(`launch ${name}: YAML key ${key}.${sub} not in the fixture`);
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

const flag = (argv: readonly string[], name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** Launch configs that disagree with the engine they ship with (v1 decoders). */
function consistencyProblems(plan: BuildPlan): string[] {
  const build: readonly string[] | undefined = plan.steps.find((s) => s.kind === 'engine_build')?.argv;
  const serve = plan.launch['trtllm-serve'];
  if (!build || !serve || plan.baseModel !== 'decoder') return [];
  const problems: string[] = [];
  const yaml = parse(serve.files[0]?.content ?? '') as Record<string, unknown>;
  for (const [f, key] of [
    ['--max_batch_size', 'max_batch_size'],
    ['--max_num_tokens', 'max_num_tokens'],
    ['--max_seq_len', 'max_seq_len'],
  ] as const) {
    const engine = flag(build, f);
    if (flag(serve.argv, f) !== engine) problems.push(`serve ${f} ${flag(serve.argv, f)} != engine ${engine}`);
    const value = yaml[key];
    const written = typeof value === 'number' ? String(value) : undefined;
    if (written !== engine) problems.push(`YAML ${key} != engine ${engine}`);
  }
  const pbtxt = plan.launch['triton']?.files[0]?.content ?? '';
  if (!pbtxt.includes(`max_batch_size: ${flag(build, '--max_batch_size')}\n`))
    problems.push('Triton max_batch_size != engine');
  const spec = yaml['speculative_config'] as Record<string, number> | undefined;
  const draft = Number(flag(build, '--max_draft_len') ?? 0);
  if (spec) {
    const [w, n, v] = [
      spec['max_window_size'] ?? 0,
      spec['max_ngram_size'] ?? 0,
      spec['max_verification_set_size'] ?? 0,
    ];
    const needed = (n === 1 ? 0 : n - 2) + (w - 1 + v) * (n - 1);
    if (needed < 1 || needed > draft)
      problems.push(`lookahead (${w}, ${n}, ${v}) needs ${needed} draft tokens, engine has ${draft}`);
    for (const [k, x] of [
      ['lookahead_window_size', w],
      ['lookahead_ngram_size', n],
      ['lookahead_verification_set_size', v],
    ] as const) {
      if (!pbtxt.includes(`key: "${k}"\n  value: {\n    string_value: "${x}"`)) problems.push(`Triton ${k} != ${x}`);
    }
  } else if (draft > 0) problems.push('engine has a draft length but the launch config no speculation');
  const lora = yaml['lora_config'] as Record<string, unknown> | undefined;
  if (lora && String(lora['max_lora_rank']) !== flag(build, '--max_lora_rank'))
    problems.push('LoRA rank != engine max_lora_rank');
  if (!lora && build.includes('--lora_plugin')) problems.push('LoRA engine without lora_config');
  return problems;
}

const recipes = load(RECIPES);
const corpus = load(CORPUS);

describe('conformance of generated plans', () => {
  it.each(recipes.map((r) => [r.name, r.text]))('recipe %s', (_name, text) => {
    const r = planConfigText(text);
    expect(r.plan).not.toBeNull();
    expect(planProblems(r.plan as BuildPlan)).toEqual([]);
    expect(consistencyProblems(r.plan as BuildPlan)).toEqual([]);
  });

  it('every corpus config the planner accepts', () => {
    expect(corpus.length).toBeGreaterThan(400);
    let planned = 0;
    const problems: string[] = [];
    for (const { name, text } of corpus) {
      const r = planConfigText(text);
      if (!r.plan) continue;
      planned += 1;
      problems.push(...planProblems(r.plan).map((p) => `${name}: ${p}`));
      problems.push(...consistencyProblems(r.plan).map((p) => `${name}: ${p}`));
      const json = JSON.stringify(r.plan);
      for (const secret of secretValues(text))
        if (json.includes(secret)) problems.push(`${name}: secret value in plan`);
    }
    expect(problems).toEqual([]);
    // Most of the corpus is valid under the validator; the planner must plan nearly all of it.
    expect(planned).toBeGreaterThan(300);
  }, 120_000);

  it('the consistency check catches a launch config that disagrees with its engine', () => {
    const p = planConfigText(readFileSync(new URL('llama-3.1-8b-lookahead-h100.yaml', RECIPES), 'utf8'))
      .plan as BuildPlan;
    const serve = p.launch['trtllm-serve'];
    if (!serve) throw new Error('no serve config');
    const tampered: BuildPlan = {
      ...p,
      launch: {
        ...p.launch,
        'trtllm-serve': {
          ...serve,
          argv: serve.argv.map((a) => (a === '64' ? '128' : a)),
          files: [
            {
              path: 'extra_llm_api_options.yaml',
              content: (serve.files[0]?.content ?? '').replace('max_window_size: 8', 'max_window_size: 9'),
            },
          ],
        },
      },
    };
    expect(consistencyProblems(p)).toEqual([]);
    expect(consistencyProblems(tampered)).toEqual([
      'serve --max_batch_size 128 != engine 64',
      'lookahead (9, 3, 3) needs 23 draft tokens, engine has 21',
      'Triton lookahead_window_size != 9',
    ]);
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
