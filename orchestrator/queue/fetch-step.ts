/**
 * The fetch step: download the plan's checkpoint, adapters and calibration data into the build's
 * workspace (no GPU), keep what was resolved for the manifest, and count cache hits.
 */
import { mkdir } from 'node:fs/promises';
import type { BuildPlan, FetchStep } from '../plan/types.js';
import type { BuildStore } from './build-store.js';
import type { ThrownFailure } from './failure-data.js';
import { failureFromThrown } from './failure-data.js';
import type { MetricsStore } from './metrics-store.js';
import type { WorkerDeps } from './ports.js';

interface FetchRunContext {
  readonly d: WorkerDeps;
  readonly store: BuildStore;
  readonly metrics: MetricsStore;
}

/** Fetches; resolves null on success, `'cancelled'` when aborted, or the failure as data. */
export async function runFetchStep(
  rc: FetchRunContext,
  plan: BuildPlan,
  step: FetchStep,
  id: string,
  workspaceDir: string,
  signal: AbortSignal,
): Promise<null | 'cancelled' | ThrownFailure> {
  const { d } = rc;
  const names = step.items.flatMap((i) => (i.secretName ? [i.secretName] : []));
  const secrets: Record<string, string> = {};
  for (const n of names) if (Object.prototype.hasOwnProperty.call(d.secrets, n)) secrets[n] = d.secrets[n] as string;
  try {
    await mkdir(workspaceDir, { recursive: true });
    const fetched = await d.fetchItems(step.items, { workspaceDir, workspaceMount: plan.workspace.mount, secrets, signal });
    await rc.store.saveFetched(id, fetched);
    const hits = fetched.filter((f) => f.fromCache).length;
    await rc.metrics.addCounter('cache_hits', hits);
    await rc.metrics.addCounter('cache_misses', fetched.length - hits);
    await rc.store.appendLogs(id, [{ ts: d.now(), step: step.id, stream: 'system', line: `fetched ${fetched.length} item(s), ${hits} from cache` }]);
    return null;
  } catch (err) {
    if (signal.aborted) return 'cancelled';
    return failureFromThrown(err, 'FETCH_FAILED');
  }
}
