/**
 * Publishing a bundle: the checkpoint's tokenizer and HF config files go to `tokenizer/` with
 * sha256 in the manifest (absent ones skipped, links refused); with the plan's bundle contract a
 * build whose outputs would not serve is refused before anything is uploaded, and verify reports
 * a published bundle that breaks the contract.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleContract } from '../../../orchestrator/bundle/contract.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { isPublishError } from '../../../orchestrator/storage/publish/errors.js';
import { publishBuild } from '../../../orchestrator/storage/publish/publish-build.js';
import { verifyPublished } from '../../../orchestrator/storage/publish/verify-published.js';
import { LAUNCH_FILES, makeBuildDir, makeMeta, NOW, PLAN_HASH, recordingStore } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trt-pub-bundle-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function checkpoint(files: Record<string, string>): Promise<string> {
  const ckpt = join(dir, 'checkpoint');
  await mkdir(join(ckpt, 'nested'), { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(ckpt, name), content);
  await writeFile(join(ckpt, 'nested', 'tokenizer.json'), 'not top level');
  await writeFile(join(ckpt, 'model.safetensors'), 'weights are not tokenizer files');
  return ckpt;
}

function v1Plan(): BuildPlan {
  const text =
    'resources:\n  accelerator: H100\ntrt_llm:\n  build:\n    checkpoint_repository: {source: HF, repo: meta-llama/Llama-3.1-8B-Instruct}\n    quantization_type: fp8\n';
  const plan = planConfigText(text).plan;
  if (!plan) throw new Error('no plan');
  return plan;
}

describe('publish: tokenizer/', () => {
  it('copies the tokenizer and HF config files the checkpoint has, with sha256, and skips the rest', async () => {
    const store = artifactStoreFromUrl(pathToFileURL(join(dir, 'store')).href);
    const engine = join(dir, 'engine');
    await makeBuildDir(engine);
    const ckpt = await checkpoint({
      'tokenizer.json': '{"v":1}',
      'config.json': '{"architectures":["X"]}',
      'generation_config.json': '{}',
    });
    const r = await publishBuild({
      store,
      planHash: PLAN_HASH,
      sourceDir: engine,
      tokenizerDir: ckpt,
      launchFiles: LAUNCH_FILES,
      meta: makeMeta(),
      now: NOW,
    });
    const tok = r.manifest.files.filter((f) => f.path.startsWith('tokenizer/'));
    expect(tok).toEqual([
      { path: 'tokenizer/config.json', size: 23, sha256: sha('{"architectures":["X"]}') },
      { path: 'tokenizer/generation_config.json', size: 2, sha256: sha('{}') },
      { path: 'tokenizer/tokenizer.json', size: 7, sha256: sha('{"v":1}') },
    ]);
    expect(new TextDecoder().decode((await store.getBytes(`${r.prefix}tokenizer/tokenizer.json`)) ?? undefined)).toBe(
      '{"v":1}',
    );
    expect(await verifyPublished(store, PLAN_HASH)).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses a tokenizer file that is a symbolic link', async () => {
    const store = artifactStoreFromUrl(pathToFileURL(join(dir, 'store')).href);
    const engine = join(dir, 'engine');
    await makeBuildDir(engine);
    const ckpt = await checkpoint({ 'config.json': '{}' });
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await symlink(join(dir, 'secret.txt'), join(ckpt, 'tokenizer.json'));
    const err = await publishBuild({
      store,
      planHash: PLAN_HASH,
      sourceDir: engine,
      tokenizerDir: ckpt,
      launchFiles: LAUNCH_FILES,
      meta: makeMeta(),
      now: NOW,
    }).catch((e: unknown) => e);
    expect(isPublishError(err, 'UNSAFE_SOURCE_ENTRY')).toBe(true);
  });
});

describe('publish and verify: the bundle contract', () => {
  it('refuses outputs that would not serve before uploading anything, naming what is missing', async () => {
    const plan = v1Plan();
    const store = recordingStore(artifactStoreFromUrl(pathToFileURL(join(dir, 'store')).href));
    const engine = join(dir, 'engine');
    await mkdir(engine);
    await writeFile(join(engine, 'config.json'), '{}'); // no rank0.engine
    const ckpt = await checkpoint({ 'config.json': '{}' }); // no tokenizer
    const launchFiles = Object.values(plan.launch).flatMap((l) => l.files);
    const err = await publishBuild({
      store,
      planHash: plan.planHash,
      sourceDir: engine,
      tokenizerDir: ckpt,
      launchFiles,
      bundle: bundleContract(plan),
      meta: makeMeta(),
      now: NOW,
    }).catch((e: unknown) => e);
    expect(isPublishError(err, 'BUNDLE_INCOMPLETE')).toBe(true);
    expect((err as Error).message).toMatch(/needs artifact\/rank0\.engine/);
    expect((err as Error).message).toMatch(/tokenizer\/tokenizer\.json/);
    expect(store.calls.filter((c) => c.op === 'putFile' || c.op === 'putBytes')).toEqual([]);
  });

  it('verify reports a published bundle that breaks the contract', async () => {
    const plan = v1Plan();
    const store = artifactStoreFromUrl(pathToFileURL(join(dir, 'store')).href);
    const engine = join(dir, 'engine');
    await mkdir(engine);
    await writeFile(join(engine, 'config.json'), '{}');
    await writeFile(join(engine, 'rank0.engine'), 'E');
    // Published without the contract and without a tokenizer (what the service did before).
    await publishBuild({
      store,
      planHash: plan.planHash,
      sourceDir: engine,
      launchFiles: Object.values(plan.launch).flatMap((l) => l.files),
      meta: makeMeta(),
      now: NOW,
    });
    const r = await verifyPublished(store, plan.planHash, { bundle: bundleContract(plan) });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual({
      path: 'launch:trtllm-serve',
      problem: 'contract',
      message: 'refers to /models/tokenizer, which is no file or directory of the bundle',
    });
    expect((await verifyPublished(store, plan.planHash)).ok).toBe(true);
  });
});
