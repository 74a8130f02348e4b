/**
 * The fetch step: download the plan's checkpoint, adapters and calibration data into the build's
 * workspace (no GPU). Signed URLs come from the build's fetch-secret key (the stored plan holds
 * them redacted) and that key is deleted once the fetch succeeded; a final status deletes it too.
 */
import { mkdir } from 'node:fs/promises';
import type { Failure } from '../build/failure.js';
import type { BuildPlan, FetchStep } from '../plan/types.js';
import type { FetchedItem } from '../storage/ports.js';
import type { BuildStore } from './build-store.js';
import { failureOf } from './failure-data.js';
import type { WorkerDeps } from './ports.js';

/**
 * Workspaces this process's fetch step created and whose build job has not started here yet: the
 * build job on the same host then skips its own mkdir. Bounded (a build may run on another host).
 */
const freshWorkspaces = new Set<string>();
const FRESH_CAP = 4096;

/** Creates the build's workspace, unless this process's fetch step just did. */
export async function ensureWorkspace(workspaceDir: string): Promise<void> {
  if (freshWorkspaces.delete(workspaceDir)) return;
  await mkdir(workspaceDir, { recursive: true });
}

export type FetchStepResult =
  | { readonly fetched: readonly FetchedItem[]; readonly summary: string }
  | 'cancelled'
  | { readonly failure: Failure };

/** Fetches; resolves the fetched items and a summary line, `'cancelled'` when aborted, or the failure as data. */
export async function runFetchStep(
  d: WorkerDeps,
  store: BuildStore,
  id: string,
  plan: BuildPlan,
  step: FetchStep,
  workspaceDir: string,
  signal: AbortSignal,
): Promise<FetchStepResult> {
  const secrets: Record<string, string> = {};
  for (const item of step.items) {
    const n = item.secretName;
    if (n !== null && Object.prototype.hasOwnProperty.call(d.secrets, n)) secrets[n] = d.secrets[n] as string;
  }
  try {
    const signed = await store.fetchItems(id);
    const items = signed && signed.length === step.items.length ? signed : step.items;
    await mkdir(workspaceDir, { recursive: true });
    const short = d.diskCheck ? await d.diskCheck(plan, workspaceDir) : null;
    if (short !== null)
      return { failure: { code: 'WORKER_DISK_FULL', message: short, advice: null, retryable: false } };
    if (freshWorkspaces.size >= FRESH_CAP) freshWorkspaces.clear();
    freshWorkspaces.add(workspaceDir);
    const fetched = await d.fetchItems(items, { workspaceDir, workspaceMount: plan.workspace.mount, secrets, signal });
    if (signed) await store.dropFetchItems(id);
    const hits = fetched.filter((f) => f.fromCache).length;
    return { fetched, summary: `fetched ${fetched.length} item(s), ${hits} from cache` };
  } catch (err) {
    if (signal.aborted) return 'cancelled';
    return { failure: failureOf(err, 'FETCH_FAILED') };
  }
}
