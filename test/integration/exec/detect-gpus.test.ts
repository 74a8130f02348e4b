import { describe, expect, it } from 'vitest';
import { detectGpus } from '../../../orchestrator/exec/detect-gpus.js';
import { setUpWorkerGpus } from '../../../orchestrator/exec/worker-gpus.js';
import { createGpuAllocator } from '../../../orchestrator/exec/gpu-allocator.js';
import { resolveGpuInventory } from '../../../orchestrator/gpu/resolve-inventory.js';
import { FAKE_NVIDIA_SMI_DIR } from './helpers.js';

/** Environment with the fake nvidia-smi first on PATH. */
function env(knobs: Record<string, string>): Record<string, string> {
  return { PATH: `${FAKE_NVIDIA_SMI_DIR}:${process.env['PATH'] ?? ''}`, ...knobs };
}

describe.concurrent('detectGpus through a fake nvidia-smi on PATH', () => {
  it('reads an 8× H100 host into an inventory and an allocator', async () => {
    const d = await detectGpus({ env: env({ FAKE_NVIDIA_SMI_SAMPLE: 'h100x8.csv' }) });
    expect(d.available).toBe(true);
    if (!d.available) return;
    expect(d.problems).toEqual([]);
    expect(d.devices.map((x) => x.type)).toEqual(Array(8).fill('H100'));
    const inv = resolveGpuInventory({ detected: d.devices, deviceIds: ['4', '5', '6', '7'] });
    expect(inv.ok).toBe(true);
    if (!inv.ok) return;
    const alloc = createGpuAllocator(inv.inventory.deviceIds);
    expect(alloc.tryAcquire('b', 4)).toEqual(['4', '5', '6', '7']);
  });

  it('a mixed L4/L40/L40S host: the L40 is unknown, never an L4', async () => {
    const d = await detectGpus({ env: env({ FAKE_NVIDIA_SMI_SAMPLE: 'mixed-l4-l40.csv' }) });
    expect(d.available && d.devices.map((x) => [x.name, x.type])).toEqual([
      ['NVIDIA L4', 'L4'],
      ['NVIDIA L40', null],
      ['NVIDIA L40S', 'L40S'],
    ]);
  });

  it('reports a driver failure and a missing binary as data', async () => {
    const d = await detectGpus({ env: env({ FAKE_NVIDIA_SMI_FAIL: 'driver' }) });
    expect(d).toEqual({
      available: false,
      reason:
        "nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    });
    const none = await detectGpus({ env: env({}) });
    expect(none).toEqual({ available: false, reason: 'nvidia-smi exited with code 6: No devices were found' });
    const missing = await detectGpus({ env: { PATH: '/nonexistent' } });
    expect(missing).toEqual({ available: false, reason: 'nvidia-smi could not be run (ENOENT)' });
    expect(resolveGpuInventory({ detected: null, gpuType: 'H100', deviceIds: ['0'] }).ok).toBe(true);
  });
});

describe.concurrent('setUpWorkerGpus', () => {
  it('detects, resolves and builds an allocator over the chosen devices', async () => {
    const r = await setUpWorkerGpus({
      env: env({ FAKE_NVIDIA_SMI_SAMPLE: 'mixed-h100-a100.csv' }),
      gpuType: 'A100_40GB',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.inventory.gpuType).toBe('A100_40GB');
    expect(r.allocator.deviceIds).toEqual(['2', '3']);
    expect(r.notes).toEqual([]);
  });

  it('skips nvidia-smi when both overrides are given, and explains a failed detection otherwise', async () => {
    const skipped = await setUpWorkerGpus({ env: { PATH: '/nonexistent' }, gpuType: 'L4', deviceIds: ['0'] });
    expect(skipped).toMatchObject({ ok: true, inventory: { gpuType: 'L4', deviceIds: ['0'] }, notes: [] });
    const failed = await setUpWorkerGpus({ env: env({ FAKE_NVIDIA_SMI_FAIL: 'driver' }), gpuType: 'L4' });
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.errors[0]).toContain(
        "nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate",
      );
      expect(failed.errors[1]).toBe(
        'nvidia-smi is unavailable, so the GPUs cannot be detected: pass both --gpu-type and the device ids',
      );
    }
  });
});
