/**
 * A worker's GPUs at start-up, in one call for the composition root: detect with nvidia-smi,
 * apply the `GPU_TYPE` / `GPU_IDS` overrides, and build the exclusive allocator over the result.
 * Detection is skipped when both overrides are given (hosts without nvidia-smi in the worker image).
 */
import { resolveGpuInventory, type GpuInventory } from '../gpu/resolve-inventory.js';
import { detectGpus, type DetectGpusOptions } from './detect-gpus.js';
import { createGpuAllocator } from './gpu-allocator.js';
import type { GpuAllocator } from './types.js';

export interface WorkerGpuOptions extends DetectGpusOptions {
  readonly gpuType?: string | null;
  readonly deviceIds?: readonly string[] | null;
}

export type WorkerGpus =
  | {
      readonly ok: true;
      readonly inventory: GpuInventory;
      readonly allocator: GpuAllocator;
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Detects (unless fully overridden), resolves and allocates this worker's GPUs; never throws. */
export async function setUpWorkerGpus(options: WorkerGpuOptions): Promise<WorkerGpus> {
  const overridden = Boolean(options.gpuType) && (options.deviceIds?.length ?? 0) > 0;
  const notes: string[] = [];
  let detected = null;
  if (!overridden) {
    const d = await detectGpus(options);
    if (d.available) {
      detected = d.devices;
      notes.push(...d.problems);
      if (d.devices.length === 0 && d.problems.length > 0) return { ok: false, errors: [...d.problems] };
    } else {
      notes.push(d.reason);
    }
  }
  const r = resolveGpuInventory({ detected, gpuType: options.gpuType ?? null, deviceIds: options.deviceIds ?? null });
  if (!r.ok) return { ok: false, errors: [...notes, ...r.errors] };
  return { ok: true, inventory: r.inventory, allocator: createGpuAllocator(r.inventory.deviceIds), notes };
}
