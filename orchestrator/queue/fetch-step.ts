/**
 * The fetch step: download the plan's checkpoint, adapters and calibration data into the build's
 * workspace (no GPU) and keep what was resolved for the manifest (with cache hit/miss counts).
 */
import { mkdir } from 'node:fs/promises';
import type { BuildPlan, FetchStep } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type { BuildStore } from './build-store.js';
import type { ThrownFailure } from './failure-data.js';
import { failureFromThrown } from './failure-data.js';
import type { WorkerDeps } from './ports.js';

interface FetchRunContext {
  readonly d: WorkerDeps;
  readonly store: BuildStore;
}

/** Fetches; resolves the fetched items, `'cancelled'` when aborted, or the failure as data. */
export async function runFetchStep(
  rc: FetchRunContext,
  plan: BuildPlan,
  step: FetchStep,
  id: string,
  workspaceDir: string,
  signal: AbortSignal,
): Promise<{ readonly fetched: readonly FetchedItem[] } | 'cancelled' | ThrownFailure> {
  const { d } = rc;
  const secrets: Record<string, string> = {};
  for (const item of step.items) {
    const n = item.secretName;
    if (n !== null && Object.prototype.hasOwnProperty.call(d.secrets, n)) secrets[n] = d.secrets[n] as string;
  }
  try {
    await mkdir(workspaceDir, { recursive: true });
    const fetched = await d.fetchItems(step.items, { workspaceDir, workspaceMount: plan.workspace.mount, secrets, signal });
    const hits = fetched.filter((f) => f.fromCache).length;
    await Promise.all([
      rc.store.saveFetched(id, fetched),
      rc.store.appendLogs(id, [{ ts: d.now(), step: step.id, stream: 'system', line: `fetched ${fetched.length} item(s), ${hits} from cache` }]),
    ]);
    return { fetched };
  } catch (err) {
    if (signal.aborted) return 'cancelled';
    return failureFromThrown(err, 'FETCH_FAILED');
  }
}
