/**
 * End to end, for every recipe: plan it, write the step outputs a real build would write (fake
 * files in the real layouts), publish through the real publish code (bundle contract, tokenizer)
 * into a local store, verify it, fetch the published bundle into a fresh directory and start
 * every launch config's server double on it by the servers' real loading rules. And the failures
 * these checks exist for: a dropped tokenizer, a missing Triton parameter or version dir, a v2
 * plan publishing a TensorRT-LLM checkpoint.
 */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleContract } from '../../../orchestrator/bundle/contract.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import type { ArtifactStore } from '../../../orchestrator/storage/ports.js';
import { isPublishError } from '../../../orchestrator/storage/publish/errors.js';
import { buildPrefix } from '../../../orchestrator/storage/publish/manifest.js';
import { publishBuild } from '../../../orchestrator/storage/publish/publish-build.js';
import { verifyPublished } from '../../../orchestrator/storage/publish/verify-published.js';
import { dirView } from '../../fixtures/servers/bundle-view.js';
import { launchProblems } from '../../fixtures/servers/fake-launch.js';
import { writeStepOutputs, type OmitOutputs } from '../../fixtures/servers/fake-step-outputs.js';

const RECIPES = new URL('../../../recipes/', import.meta.url);
const recipes = readdirSync(RECIPES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const root = mkdtempSync(join(tmpdir(), 'trt-bundle-'));
const store = artifactStoreFromUrl(pathToFileURL(join(root, 'store')).href);
let n = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

function planOf(file: string): BuildPlan {
  const r = planConfigText(readFileSync(new URL(file, RECIPES), 'utf8'));
  if (!r.plan) throw new Error(`${file}: ${JSON.stringify(r.errors)}`);
  return r.plan;
}

/** Runs the plan's steps as fake outputs and publishes like the worker's publisher does. */
async function build(plan: BuildPlan, omit: OmitOutputs = {}, s: ArtifactStore = store): Promise<void> {
  const workspace = join(root, `ws-${n++}`);
  writeStepOutputs(plan, workspace, omit);
  const host = (p: string): string => join(workspace, relative(plan.workspace.mount, p));
  const step = plan.steps.find((x) => x.kind === 'publish');
  if (step?.kind !== 'publish') throw new Error('no publish step');
  await publishBuild({
    store: s,
    planHash: plan.planHash,
    sourceDir: host(step.artifactDir),
    tokenizerDir: step.tokenizerDir ? host(step.tokenizerDir) : null,
    launchFiles: Object.values(plan.launch).flatMap((l) => l.files),
    bundle: bundleContract(plan),
    meta: {
      artifactKind: step.artifactKind === 'none' ? 'checkpoint' : step.artifactKind,
      lane: plan.lane,
      gpu: { type: plan.accelerator.type, sm: plan.accelerator.sm, count: plan.accelerator.count },
      sources: [],
      launch: plan.launch,
      config: {},
    },
    now: new Date('2026-11-29T00:00:00Z'),
  });
}

/** Downloads a published bundle (every object under its prefix) into a fresh directory, as a server host would. */
async function fetchBundle(plan: BuildPlan): Promise<string> {
  const dir = join(root, `bundle-${n++}`);
  const prefix = buildPrefix(plan.planHash);
  for (const obj of await store.list(prefix)) {
    const bytes = await store.getBytes(obj.key);
    const path = join(dir, obj.key.slice(prefix.length));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes ?? new Uint8Array());
  }
  return dir;
}

describe('every recipe publishes a bundle its launch configs serve', () => {
  it.each(recipes)('%s', async (file) => {
    const plan = planOf(file);
    await build(plan);
    const verified = await verifyPublished(store, plan.planHash, { bundle: bundleContract(plan) });
    expect(verified.problems).toEqual([]);
    const paths = verified.manifest?.files.map((f) => f.path) ?? [];
    expect(paths.filter((p) => p.startsWith('tokenizer/'))).toEqual(
      expect.arrayContaining(['tokenizer/config.json', 'tokenizer/tokenizer.json', 'tokenizer/tokenizer_config.json']),
    );
    const view = dirView(await fetchBundle(plan));
    expect(Object.keys(plan.launch).length).toBeGreaterThan(0);
    for (const [name, launch] of Object.entries(plan.launch))
      expect({ name, problems: launchProblems(launch, view) }).toEqual({ name, problems: [] });
  });
});

describe('the checks fail when the bundle would not serve', () => {
  it('a checkpoint without tokenizer files: publish refuses (BUNDLE_INCOMPLETE) and writes nothing', async () => {
    const plan = planOf('llama-3.1-8b-fp8-h100.yaml');
    const err = await build({ ...plan, planHash: `sha256:${'7'.repeat(64)}` }, { tokenizer: true }).catch(
      (e: unknown) => e,
    );
    expect(isPublishError(err, 'BUNDLE_INCOMPLETE')).toBe(true);
    expect(String((err as Error).message)).toMatch(/tokenizer\/tokenizer\.json/);
    expect(await store.list(buildPrefix(`sha256:${'7'.repeat(64)}`))).toEqual([]);
  });

  it('the fake servers refuse a bundle without a tokenizer, a Triton config missing a required parameter, or without a version dir', async () => {
    const plan = planOf('llama-3.1-8b-lora-a100.yaml');
    await build(plan);
    const dir = await fetchBundle(plan);
    rmSync(join(dir, 'tokenizer'), { recursive: true });
    const noTok = dirView(dir);
    expect(launchProblems(plan.launch['trtllm-serve'] as never, noTok).join('\n')).toMatch(/AutoTokenizer/);
    expect(launchProblems(plan.launch['triton'] as never, noTok).join('\n')).toMatch(/AutoTokenizer/);

    const pbtxt = join(dir, 'launch/triton/tensorrt_llm/config.pbtxt');
    const text = readFileSync(pbtxt, 'utf8');
    writeFileSync(pbtxt, text.replace(/parameters: \{\n {2}key: "xgrammar_tokenizer_info_path"[\s\S]*?\n\}\n/, ''));
    expect(launchProblems(plan.launch['triton'] as never, dirView(dir))).toContain(
      'tritonserver: model tensorrt_llm: Cannot find parameter with name: xgrammar_tokenizer_info_path',
    );
    writeFileSync(pbtxt, text.replace(/ {2}\{\n {4}name: "lora_task_id"[\s\S]*?\n {2}\},\n/, ''));
    expect(launchProblems(plan.launch['triton'] as never, dirView(dir))).toContain(
      'tritonserver: model tensorrt_llm: LoRA engine without input lora_task_id',
    );
    rmSync(join(dir, 'launch/triton/tensorrt_llm/1'), { recursive: true });
    expect(launchProblems(plan.launch['triton'] as never, dirView(dir)).join('\n')).toMatch(
      /no numeric version directory/,
    );
  });

  it('a v2 quantized bundle holding a TensorRT-LLM checkpoint (what quantize.py writes) does not serve', async () => {
    const plan = planOf('qwen3-moe-v2-h200x8.yaml');
    await build(plan);
    const dir = await fetchBundle(plan);
    writeFileSync(
      join(dir, 'artifact/config.json'),
      JSON.stringify({
        architecture: 'Qwen3MoeForCausalLM',
        mapping: { world_size: 1 },
        quantization: { quant_algo: 'FP8' },
      }),
    );
    expect(launchProblems(plan.launch['trtllm-serve'] as never, dirView(dir)).join('\n')).toMatch(
      /is a TensorRT-LLM checkpoint/,
    );
    rmSync(join(dir, 'artifact/hf_quant_config.json'));
    writeFileSync(
      join(dir, 'artifact/config.json'),
      JSON.stringify({ architectures: ['Qwen3MoeForCausalLM'], quantization_config: {} }),
    );
    expect(launchProblems(plan.launch['trtllm-serve'] as never, dirView(dir)).join('\n')).toMatch(
      /no hf_quant_config\.json/,
    );
  });

  it('the launch_triton_server.py launch (detaches) is refused', () => {
    const plan = planOf('llama-3.1-8b-fp8-h100.yaml');
    const old = {
      ...plan.launch['triton'],
      argv: ['python3', '/app/scripts/launch_triton_server.py', '--world_size=1', '--model_repo=/models/launch/triton'],
    };
    expect(launchProblems(old as never, dirView(root)).join('\n')).toMatch(/detaches/);
  });
});
