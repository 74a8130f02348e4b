/** The worker's disk check over checkpoint facts: fits, does not fit, unknown size, weight format from the plan. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import type { CheckpointFacts, FactsResult } from '../../../orchestrator/preflight/types.js';
import { createDiskCheck, planWeightFormat } from '../../../orchestrator/storage/facts/disk-check.js';
import type { FactsFetcher } from '../../../orchestrator/storage/facts/facts-fetcher.js';

const recipe = (name: string): BuildPlan => {
  const p = planConfigText(readFileSync(join(import.meta.dirname, '../../../recipes', name), 'utf8')).plan;
  if (p === null) throw new Error(`${name} did not plan`);
  return p;
};

function fetcher(result: FactsResult<Partial<CheckpointFacts>>): FactsFetcher {
  return {
    checkpoint: () => Promise.resolve(result as FactsResult<CheckpointFacts>),
    adapter: () => Promise.reject(new Error('not used')),
    stats: { resolves: 0, reads: 0, hits: 0 },
  };
}

const GB = 1e9;

describe('planWeightFormat', () => {
  it('reads the quantize step: fp8, nvfp4, and bf16 without one', () => {
    expect(planWeightFormat(recipe('llama-3.1-8b-fp8-h100.yaml'))).toBe('fp8');
    expect(planWeightFormat(recipe('llama-3.1-8b-fp4-b200.yaml'))).toBe('nvfp4');
    expect(planWeightFormat(recipe('qwen2.5-7b-noquant-l4.yaml'))).toBe('bf16');
  });
});

describe('createDiskCheck', () => {
  const plan = recipe('qwen2.5-7b-noquant-l4.yaml');

  it('passes when checkpoint + converted + engine fit, at the boundary too', async () => {
    // bf16, v1, convert step: 3 × the checkpoint.
    expect(
      await createDiskCheck(fetcher({ ok: true, value: { checkpointBytes: 10 * GB } }), () => Promise.resolve(30 * GB))(
        plan,
        '/w',
      ),
    ).toBeNull();
  });

  it('fails one byte short, saying how much is needed and free', async () => {
    const msg = await createDiskCheck(fetcher({ ok: true, value: { checkpointBytes: 10 * GB } }), () =>
      Promise.resolve(30 * GB - 1),
    )(plan, '/w');
    expect(msg).toContain('30.0 GB of disk');
    expect(msg).toContain('30.0 GB free');
  });

  it('passes when the size cannot be read (the fetch reports the real problem)', async () => {
    const free = (): Promise<number> => Promise.resolve(0);
    expect(
      await createDiskCheck(fetcher({ ok: false, problem: { kind: 'unavailable', message: 'down' } }), free)(
        plan,
        '/w',
      ),
    ).toBeNull();
    expect(await createDiskCheck(fetcher({ ok: true, value: { checkpointBytes: null } }), free)(plan, '/w')).toBeNull();
  });
});
