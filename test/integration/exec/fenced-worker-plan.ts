/** The plan and fake fetch of the fencing end-to-end tests: fetch → trtllm-build (2 ranks) → publish. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostPath } from '../../../orchestrator/main/store-publisher.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import type { FetchItems } from '../../../orchestrator/queue/ports.js';
import { fetchedItems, fixturePlan } from '../queue/fixtures.js';

/** A v1 plan whose engine step runs the fake trtllm-build with a declared output directory. */
export function fencingPlan(seed: string): BuildPlan {
  const base = fixturePlan(seed, 'H100', 1);
  const hex = createHash('sha256').update(`fencing:${seed}`).digest('hex');
  const steps = base.steps
    .filter((s) => s.id !== 'convert')
    .map((s) =>
      s.id === 'build' && s.kind === 'engine_build'
        ? {
            ...s,
            inputs: ['/workspace/checkpoint'],
            outputs: ['/workspace/engine'],
            argv: ['trtllm-build', '--checkpoint_dir', '/workspace/checkpoint', '--output_dir', '/workspace/engine'],
          }
        : s,
    );
  return { ...base, planHash: `sha256:${hex}`, steps };
}

/** Fake fetch: a 2-rank TensorRT-LLM checkpoint config where the item lands. */
export const writeCheckpoint: FetchItems = (items, ctx) => {
  for (const item of items) {
    const dir = hostPath(ctx.workspaceDir, ctx.workspaceMount, item.dest);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ architecture: 'LlamaForCausalLM', mapping: { world_size: 2 } }),
    );
  }
  return fetchedItems(items, 'c'.repeat(40));
};
