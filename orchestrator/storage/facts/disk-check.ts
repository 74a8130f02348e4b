/**
 * The worker's free-disk check before a fetch (pre-flight item 3, "checked again by the worker"):
 * the checkpoint's size from its listing (no weights downloaded, cached by resolved revision), the
 * pre-flight model's need (checkpoint + converted checkpoint + engine) against the free space where
 * the workspace lives. When the size cannot be read the check passes (the fetch itself will say why).
 */
import type { WeightFormat } from '../../preflight/support-table.js';
import { diskNeedFromCheckpoint, diskShortfall } from '../../preflight/estimates.js';
import type { BuildPlan } from '../../plan/types.js';
import type { FactsFetcher } from './facts-fetcher.js';
import { freeDiskBytes } from './free-disk.js';

/** The weight format a plan's quantize/convert step writes, read from its argv (bf16 when none). */
export function planWeightFormat(plan: BuildPlan): WeightFormat {
  for (const step of plan.steps) {
    if (step.kind !== 'quantize') continue;
    const argv = step.argv.join(' ').toLowerCase();
    if (argv.includes('nvfp4')) return 'nvfp4';
    if (argv.includes('fp8')) return 'fp8';
  }
  return 'bf16';
}

/** A `WorkerDeps.diskCheck` over `fetcher`; `free` is injectable for tests. */
export function createDiskCheck(
  fetcher: FactsFetcher,
  free: (dir: string) => Promise<number> = freeDiskBytes,
): (plan: BuildPlan, workspaceDir: string) => Promise<string | null> {
  return async (plan, workspaceDir) => {
    const fetchStep = plan.steps.find((s) => s.kind === 'fetch');
    const checkpoint = fetchStep?.kind === 'fetch' ? fetchStep.items.find((i) => i.role === 'checkpoint') : undefined;
    if (checkpoint === undefined) return null;
    const facts = await fetcher.checkpoint(checkpoint);
    if (!facts.ok || facts.value.checkpointBytes === null) return null;
    const need = diskNeedFromCheckpoint(facts.value.checkpointBytes, plan, planWeightFormat(plan));
    return diskShortfall(need, await free(workspaceDir));
  };
}
