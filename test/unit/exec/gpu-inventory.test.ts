import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectGpuType } from '../../../orchestrator/gpu/detect-gpu-type.js';
import { parseNvidiaSmi } from '../../../orchestrator/gpu/parse-nvidia-smi.js';
import { resolveGpuInventory } from '../../../orchestrator/gpu/resolve-inventory.js';

const sample = (name: string): string =>
  readFileSync(new URL(`../../fixtures/bin/lib/nvidia-smi/samples/${name}`, import.meta.url), 'utf8');

describe('detectGpuType', () => {
  it.each([
    ['NVIDIA H100 80GB HBM3', 81559, 'H100'],
    ['NVIDIA H100 PCIe', 81559, 'H100'],
    ['NVIDIA H100 NVL', 95830, 'H100'],
    ['NVIDIA A100-SXM4-80GB', 81920, 'A100'],
    ['NVIDIA A100-SXM4-40GB', 40960, 'A100_40GB'],
    ['NVIDIA A100-PCIE-40GB', 40960, 'A100_40GB'],
    ['NVIDIA A100 80GB PCIe', 81920, 'A100'],
    ['NVIDIA L4', 23034, 'L4'],
    ['NVIDIA L40S', 46068, 'L40S'],
    ['NVIDIA A10G', 23028, 'A10G'],
    ['NVIDIA H200', 143771, 'H200'],
    ['NVIDIA B200', 183359, 'B200'],
    ['Tesla T4', 15360, 'T4'],
    ['Tesla V100-SXM2-16GB', 16384, 'V100'],
    ['NVIDIA GB10', null, 'B10'],
    ['NVIDIA RTX PRO 6000 Blackwell Server Edition', 97887, 'RTX_PRO_6000'],
  ] as const)('%s (%s MiB) → %s', (name, mem, type) => {
    expect(detectGpuType(name, mem)).toBe(type);
  });

  it.each([
    ['NVIDIA L40'],
    ['NVIDIA T400'],
    ['NVIDIA GH200 480GB'],
    ['NVIDIA A10'],
    ['NVIDIA GeForce RTX 4090'],
    ['NVIDIA H800'],
  ])('%s is not a catalog type (no substring mistakes)', (name) => {
    expect(detectGpuType(name, 46068)).toBeUndefined();
  });

  it('uses memory to tell 40 GB from 80 GB parts named alike', () => {
    expect(detectGpuType('NVIDIA A100', 40960)).toBe('A100_40GB');
    expect(detectGpuType('NVIDIA A100', 81920)).toBe('A100');
    expect(detectGpuType('NVIDIA H100', 40960)).toBe('H100_40GB');
    expect(detectGpuType('NVIDIA A100', null)).toBe('A100_40GB');
  });
});

describe('parseNvidiaSmi', () => {
  it('reads an 8× H100 host', () => {
    const { devices, problems } = parseNvidiaSmi(sample('h100x8.csv'));
    expect(problems).toEqual([]);
    expect(devices).toHaveLength(8);
    expect(devices[0]).toEqual({
      id: '0',
      index: 0,
      uuid: 'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50',
      name: 'NVIDIA H100 80GB HBM3',
      memoryMiB: 81559,
      type: 'H100',
    });
    expect(devices.map((d) => d.id)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it.each([
    ['a100-sxm4-80gb-x4.csv', ['A100', 'A100', 'A100', 'A100']],
    ['l4x1.csv', ['L4']],
    ['a10g-x4.csv', ['A10G', 'A10G', 'A10G', 'A10G']],
    ['mixed-h100-a100.csv', ['H100', 'H100', 'A100_40GB', 'A100_40GB']],
    ['mixed-l4-l40.csv', ['L4', null, 'L40S']],
  ])('reads %s', (file, types) => {
    const { devices, problems } = parseNvidiaSmi(sample(file));
    expect(problems).toEqual([]);
    expect(devices.map((d) => d.type)).toEqual(types);
  });

  it('accepts [N/A] memory and CRLF line ends', () => {
    const { devices, problems } = parseNvidiaSmi('0, GPU-5d0c7e2a-1f3b-4a6c-8e9d-2b3c4d5e6f70, NVIDIA GB10, [N/A]\r\n');
    expect(problems).toEqual([]);
    expect(devices[0]).toMatchObject({ memoryMiB: null, type: 'B10' });
  });

  it('reports every bad line with its number and keeps the good ones', () => {
    const out = [
      '0, GPU-5d0c7e2a-1f3b-4a6c-8e9d-2b3c4d5e6f70, NVIDIA L4, 23034',
      'index, uuid, name, memory.total [MiB]',
      '1, GPU-5d0c7e2a-1f3b-4a6c-8e9d-2b3c4d5e6f71, NVIDIA L4, 23034 MiB',
      '2, not-a-uuid, NVIDIA L4, 23034',
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      '0, GPU-5d0c7e2a-1f3b-4a6c-8e9d-2b3c4d5e6f72, NVIDIA L4, 23034',
      '3, GPU-5d0c7e2a-1f3b-4a6c-8e9d-2b3c4d5e6f73, , 23034',
    ].join('\n');
    const { devices, problems } = parseNvidiaSmi(out);
    expect(devices.map((d) => d.id)).toEqual(['0']);
    expect(problems).toEqual([
      'nvidia-smi line 2: index "index" is not a device index',
      'nvidia-smi line 3: memory.total "23034 MiB" is not a number of MiB (use --format=csv,noheader,nounits)',
      'nvidia-smi line 4: uuid "not-a-uuid" is not a GPU-… UUID',
      "nvidia-smi line 5: expected 4 fields (index, uuid, name, memory.total), got 1: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      'nvidia-smi line 6: device index 0 listed twice',
      'nvidia-smi line 7: empty device name',
    ]);
  });

  it('empty output is no devices, not an error', () => {
    expect(parseNvidiaSmi('')).toEqual({ devices: [], problems: [] });
  });
});

describe('resolveGpuInventory', () => {
  const h100 = parseNvidiaSmi(sample('h100x8.csv')).devices;
  const mixed = parseNvidiaSmi(sample('mixed-h100-a100.csv')).devices;
  const l40 = parseNvidiaSmi(sample('mixed-l4-l40.csv')).devices;

  it('uses every detected device of a uniform host', () => {
    const r = resolveGpuInventory({ detected: h100 });
    expect(r).toMatchObject({
      ok: true,
      inventory: { gpuType: 'H100', deviceIds: ['0', '1', '2', '3', '4', '5', '6', '7'] },
    });
  });

  it('narrows to device ids given by index or UUID, normalised to indexes', () => {
    const r = resolveGpuInventory({ detected: h100, deviceIds: ['2', 'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e55'] });
    expect(r).toMatchObject({ ok: true, inventory: { gpuType: 'H100', deviceIds: ['2', '5'] } });
  });

  it('refuses a mixed host without an override, naming the groups', () => {
    const r = resolveGpuInventory({ detected: mixed });
    expect(r).toEqual({
      ok: false,
      errors: [
        'this host mixes GPU types (0,1: H100; 2,3: A100_40GB); a worker serves one type: pass --gpu-type or device ids',
      ],
    });
  });

  it('a --gpu-type picks that type on a mixed host', () => {
    expect(resolveGpuInventory({ detected: mixed, gpuType: 'A100_40GB' })).toMatchObject({
      ok: true,
      inventory: { gpuType: 'A100_40GB', deviceIds: ['2', '3'] },
    });
    expect(resolveGpuInventory({ detected: mixed, deviceIds: ['0', '1'] })).toMatchObject({
      ok: true,
      inventory: { gpuType: 'H100', deviceIds: ['0', '1'] },
    });
  });

  it('refuses a --gpu-type that contradicts a detected device', () => {
    const r = resolveGpuInventory({ detected: mixed, gpuType: 'H100', deviceIds: ['1', '2'] });
    expect(r).toEqual({
      ok: false,
      errors: ['device 2 is "NVIDIA A100-SXM4-40GB" (A100_40GB), not the --gpu-type H100'],
    });
  });

  it('an unknown device needs a --gpu-type (and the L40 is never taken for an L4)', () => {
    const r = resolveGpuInventory({ detected: l40, deviceIds: ['1'] });
    expect(r).toEqual({
      ok: false,
      errors: ['device 1 "NVIDIA L40" is not a catalog GPU type; pass --gpu-type to say what to build for'],
    });
    expect(resolveGpuInventory({ detected: l40, deviceIds: ['1'], gpuType: 'L40S' })).toMatchObject({
      ok: true,
      inventory: { gpuType: 'L40S', deviceIds: ['1'] },
    });
    expect(resolveGpuInventory({ detected: l40, gpuType: 'L4' })).toMatchObject({
      ok: true,
      inventory: { deviceIds: ['0'] },
    });
  });

  it('without nvidia-smi both overrides are needed', () => {
    expect(resolveGpuInventory({ detected: null, gpuType: 'H100' })).toEqual({
      ok: false,
      errors: ['nvidia-smi is unavailable, so the GPUs cannot be detected: pass both --gpu-type and the device ids'],
    });
    expect(resolveGpuInventory({ detected: null, gpuType: 'H100', deviceIds: ['0', '1'] })).toEqual({
      ok: true,
      inventory: { gpuType: 'H100', deviceIds: ['0', '1'], devices: [] },
    });
  });

  it('reports every bad override at once', () => {
    const r = resolveGpuInventory({ detected: h100, gpuType: 'H800', deviceIds: ['0', '0', '../x'] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(3);
      expect(r.errors[0]).toContain('--gpu-type "H800" is not a catalog GPU type; expected one of T4, L4');
      expect(r.errors[1]).toBe('device id 0 is listed twice');
      expect(r.errors[2]).toBe('device id "../x" is neither an index nor a GPU- UUID');
    }
  });

  it('refuses ids that are not on the host, and the same device named twice', () => {
    expect(resolveGpuInventory({ detected: h100, deviceIds: ['9'] })).toEqual({
      ok: false,
      errors: ['device id 9 is not on this host (nvidia-smi lists 0, 1, 2, 3, 4, 5, 6, 7)'],
    });
    const twice = resolveGpuInventory({ detected: h100, deviceIds: ['0', 'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50'] });
    expect(twice).toEqual({ ok: false, errors: ['device ids name device 0 twice (index and UUID)'] });
    expect(resolveGpuInventory({ detected: [] })).toEqual({
      ok: false,
      errors: ['nvidia-smi lists no GPU on this host'],
    });
    expect(resolveGpuInventory({ detected: h100, gpuType: 'L4' })).toEqual({
      ok: false,
      errors: ['no L4 device on this host (nvidia-smi lists 0,1,2,3,4,5,6,7: H100)'],
    });
    expect(resolveGpuInventory({ detected: h100, deviceIds: [] })).toMatchObject({ ok: false });
  });
});
