import { describe, expect, it } from 'vitest';
import { detectGpus } from '../../../orchestrator/exec/detect-gpus.js';
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
      reason: "nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    });
    const none = await detectGpus({ env: env({}) });
    expect(none).toEqual({ available: false, reason: 'nvidia-smi exited with code 6: No devices were found' });
    const missing = await detectGpus({ env: { PATH: '/nonexistent' } });
    expect(missing).toEqual({ available: false, reason: 'nvidia-smi could not be run (ENOENT)' });
    expect(resolveGpuInventory({ detected: null, gpuType: 'H100', deviceIds: ['0'] }).ok).toBe(true);
  });
});
