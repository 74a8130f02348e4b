/**
 * The worker's publisher (main/store-publisher.ts) enforces the bundle contract: outputs that would
 * leave a launch config unable to serve (here: a checkpoint without tokenizer files) fail with
 * BUNDLE_INCOMPLETE and nothing reaches the store; the same outputs with the tokenizer publish it
 * under tokenizer/. Fails if the worker stops passing the contract or the tokenizer dir.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { storePublisher } from '../../../orchestrator/main/store-publisher.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { BuildPlan, PublishStep } from '../../../orchestrator/plan/types.js';
import { artifactStoreFromUrl } from '../../../orchestrator/storage/artifacts/store-from-url.js';
import { writeStepOutputs } from '../../fixtures/servers/fake-step-outputs.js';

const dirs: string[] = [];
const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `trt-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function plan(recipe: string): { plan: BuildPlan; step: PublishStep } {
  const text = readFileSync(join(import.meta.dirname, '../../../recipes', recipe), 'utf8');
  const p = planConfigText(text).plan;
  if (p === null) throw new Error(`${recipe} did not plan`);
  const step = p.steps.find((s): s is PublishStep => s.kind === 'publish');
  if (step === undefined) throw new Error('no publish step');
  return { plan: p, step };
}

function publish(recipe: string, withTokenizer: boolean): { root: string; result: Promise<unknown> } {
  const { plan: p, step } = plan(recipe);
  const workspace = tmp('ws');
  writeStepOutputs(p, workspace, { tokenizer: !withTokenizer });
  const root = tmp('store');
  const publisher = storePublisher(artifactStoreFromUrl(pathToFileURL(root).href), [], () => Date.UTC(2026, 10, 29));
  return { root, result: publisher.publish({ plan: p, step, workspaceDir: workspace, fetched: [], config: {} }) };
}

const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

describe('worker publisher and the bundle contract', () => {
  for (const recipe of ['llama-3.1-8b-fp8-h100.yaml', 'qwen3-moe-v2-h200x8.yaml']) {
    it(`${recipe}: without tokenizer files nothing is published`, async () => {
      const { root, result } = publish(recipe, false);
      await expect(result).rejects.toMatchObject({ code: 'BUNDLE_INCOMPLETE' });
      expect(filesUnder(root)).toEqual([]);
    });

    it(`${recipe}: with them the bundle carries tokenizer/ and its manifest`, async () => {
      const { root, result } = publish(recipe, true);
      await expect(result).resolves.toMatchObject({ alreadyPublished: false });
      const names = filesUnder(root).map((f) => f.slice(root.length + 1));
      expect(names.some((n) => n.endsWith('/tokenizer/tokenizer.json'))).toBe(true);
      expect(names.some((n) => n.endsWith('/manifest.json'))).toBe(true);
    });
  }
});
