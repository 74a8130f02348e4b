// resolveGpuInventory: every override rule, each side of every id pattern boundary, exact results.
import { describe, expect, it } from 'vitest';
import { GPU_TYPES, type GpuType } from '../../../orchestrator/gpu/catalog.js';
import type { GpuDevice } from '../../../orchestrator/gpu/parse-nvidia-smi.js';
import { resolveGpuInventory } from '../../../orchestrator/gpu/resolve-inventory.js';

const uuid = (i: number): string => `GPU-00000000-0000-0000-0000-0000000000${String(i).padStart(2, '0')}`;
const dev = (index: number, name: string, type: GpuType | null, memoryMiB: number | null = 81920): GpuDevice => ({
  id: String(index),
  index,
  uuid: uuid(index),
  name,
  memoryMiB,
  type,
});
const H0 = dev(0, 'NVIDIA H100 80GB HBM3', 'H100');
const H1 = dev(1, 'NVIDIA H100 80GB HBM3', 'H100');
const A2 = dev(2, 'NVIDIA A100-SXM4-80GB', 'A100');
const U3 = dev(3, 'NVIDIA L40', null, 46068);
const U4 = dev(4, 'NVIDIA H800', null);

const KNOWN = GPU_TYPES.join(', ');

describe('resolveGpuInventory (h7)', () => {
  describe('override checks', () => {
    it('a --gpu-type outside the catalog is refused, naming the catalog', () => {
      for (const t of ['H800', 'h100', '', 'toString']) {
        expect(resolveGpuInventory({ detected: [H0], gpuType: t }), t).toEqual({
          ok: false,
          errors: [`--gpu-type ${JSON.stringify(t)} is not a catalog GPU type; expected one of ${KNOWN}`],
        });
      }
    });

    it('null and absent overrides mean "not given"', () => {
      const want = { ok: true, inventory: { gpuType: 'H100', deviceIds: ['0', '1'], devices: [H0, H1] } };
      expect(resolveGpuInventory({ detected: [H0, H1] })).toEqual(want);
      expect(resolveGpuInventory({ detected: [H0, H1], gpuType: null, deviceIds: null })).toEqual(want);
    });

    it('an empty device-id list is refused', () => {
      expect(resolveGpuInventory({ detected: [H0], deviceIds: [] })).toEqual({
        ok: false,
        errors: ['the device-id override is empty; give at least one id or leave it unset'],
      });
    });

    it.each([
      ['0'],
      ['999'],
      ['GPU-abcdef01'],
      [`GPU-${'a'.repeat(64)}`],
      ['GPU-ABCDEF01-2345-6789-ABCD-EF0123456789'],
    ])('device id %j has a valid shape', (id) => {
      // on a host without nvidia-smi the shape is the only check
      expect(resolveGpuInventory({ detected: null, gpuType: 'H100', deviceIds: [id] })).toEqual({
        ok: true,
        inventory: { gpuType: 'H100', deviceIds: [id], devices: [] },
      });
    });

    it.each([
      ['1000'],
      [''],
      ['-1'],
      ['0x'],
      ['x0'],
      ['GPU-abcdef0'],
      [`GPU-${'a'.repeat(65)}`],
      ['GPU-abcdefgh'],
      ['GPU--------'],
      ['GPU-abcd--ef01'],
      ['GPU-abcdef01-'],
      ['GPU--abcdef01'],
      ['gpu-abcdef01'],
      ['xGPU-abcdef01'],
      ['GPU-abcdef01 '],
      ['MIG-abcdef01'],
      ['../x'],
    ])('device id %j is refused', (id) => {
      expect(resolveGpuInventory({ detected: null, gpuType: 'H100', deviceIds: [id] })).toEqual({
        ok: false,
        errors: [`device id ${JSON.stringify(id)} is neither an index nor a GPU- UUID`],
      });
    });

    it('a long bad id is quoted to 80 characters', () => {
      const id = `x${'y'.repeat(99)}`;
      expect(resolveGpuInventory({ detected: null, gpuType: 'H100', deviceIds: [id] })).toEqual({
        ok: false,
        errors: [`device id ${JSON.stringify(id.slice(0, 80))} is neither an index nor a GPU- UUID`],
      });
    });

    it('each repeat of an id is reported; all override problems come together, in order', () => {
      expect(resolveGpuInventory({ detected: [H0], deviceIds: ['0', '0', '0'] })).toEqual({
        ok: false,
        errors: ['device id 0 is listed twice', 'device id 0 is listed twice'],
      });
      expect(resolveGpuInventory({ detected: null, gpuType: 'X', deviceIds: ['a', 'a', '1'] })).toEqual({
        ok: false,
        errors: [
          `--gpu-type "X" is not a catalog GPU type; expected one of ${KNOWN}`,
          'device id "a" is neither an index nor a GPU- UUID',
          'device id "a" is neither an index nor a GPU- UUID',
          'device id a is listed twice',
        ],
      });
    });
  });

  describe('without nvidia-smi', () => {
    const unavailable = {
      ok: false,
      errors: ['nvidia-smi is unavailable, so the GPUs cannot be detected: pass both --gpu-type and the device ids'],
    };
    it('needs both overrides', () => {
      expect(resolveGpuInventory({ detected: null })).toEqual(unavailable);
      expect(resolveGpuInventory({ detected: null, gpuType: 'H100' })).toEqual(unavailable);
      expect(resolveGpuInventory({ detected: null, deviceIds: ['0'] })).toEqual(unavailable);
    });
    it('takes the ids as given, in order', () => {
      const ids = ['3', 'GPU-abcdef01', '1'];
      const r = resolveGpuInventory({ detected: null, gpuType: 'B200', deviceIds: ids });
      expect(r).toEqual({
        ok: true,
        inventory: { gpuType: 'B200', deviceIds: ['3', 'GPU-abcdef01', '1'], devices: [] },
      });
      if (r.ok) expect(r.inventory.deviceIds).not.toBe(ids);
    });
  });

  describe('with device ids', () => {
    it('selects by index or UUID, in the order given, reporting indexes', () => {
      expect(resolveGpuInventory({ detected: [H0, H1, A2], deviceIds: [uuid(1), '0'] })).toEqual({
        ok: true,
        inventory: { gpuType: 'H100', deviceIds: ['1', '0'], devices: [H1, H0] },
      });
    });

    it('matches a UUID in any letter case (UUIDs are hex)', () => {
      const upper = { ...H1, uuid: 'GPU-ABCDEF01-0000-0000-0000-000000000001' };
      expect(
        resolveGpuInventory({ detected: [H0, upper], deviceIds: ['GPU-abcdef01-0000-0000-0000-000000000001'] }),
      ).toEqual({ ok: true, inventory: { gpuType: 'H100', deviceIds: ['1'], devices: [upper] } });
    });

    it('reports every id that is not on the host', () => {
      expect(resolveGpuInventory({ detected: [H0, H1], deviceIds: ['5', '0', uuid(7)] })).toEqual({
        ok: false,
        errors: [
          'device id 5 is not on this host (nvidia-smi lists 0, 1)',
          `device id ${uuid(7)} is not on this host (nvidia-smi lists 0, 1)`,
        ],
      });
      expect(resolveGpuInventory({ detected: [], deviceIds: ['0'] })).toEqual({
        ok: false,
        errors: ['device id 0 is not on this host (nvidia-smi lists no devices)'],
      });
    });

    it('the same device by index and by UUID is refused', () => {
      expect(resolveGpuInventory({ detected: [H0, H1], deviceIds: [uuid(1), '1', '0'] })).toEqual({
        ok: false,
        errors: ['device ids name device 1 twice (index and UUID)'],
      });
    });

    it('with --gpu-type too, an unknown device may be selected but a different known type may not', () => {
      expect(resolveGpuInventory({ detected: [H0, U3], deviceIds: ['3'], gpuType: 'L40S' })).toEqual({
        ok: true,
        inventory: { gpuType: 'L40S', deviceIds: ['3'], devices: [U3] },
      });
      expect(
        resolveGpuInventory({ detected: [H0, H1, A2, U3], deviceIds: ['0', '2', '3', '1'], gpuType: 'A100' }),
      ).toEqual({
        ok: false,
        errors: [
          'device 0 is "NVIDIA H100 80GB HBM3" (H100), not the --gpu-type A100',
          'device 1 is "NVIDIA H100 80GB HBM3" (H100), not the --gpu-type A100',
        ],
      });
    });

    it('without --gpu-type, the selected devices decide; unknown ones are each reported', () => {
      expect(resolveGpuInventory({ detected: [H0, A2, U3, U4], deviceIds: ['2'] })).toEqual({
        ok: true,
        inventory: { gpuType: 'A100', deviceIds: ['2'], devices: [A2] },
      });
      expect(resolveGpuInventory({ detected: [H0, U3, U4], deviceIds: ['4', '0', '3'] })).toEqual({
        ok: false,
        errors: [
          'device 4 "NVIDIA H800" is not a catalog GPU type; pass --gpu-type to say what to build for',
          'device 3 "NVIDIA L40" is not a catalog GPU type; pass --gpu-type to say what to build for',
        ],
      });
      expect(resolveGpuInventory({ detected: [H0, H1, A2], deviceIds: ['0', '2', '1'] })).toEqual({
        ok: false,
        errors: [
          'this host mixes GPU types (0,1: H100; 2: A100); a worker serves one type: pass --gpu-type or device ids',
        ],
      });
    });
  });

  describe('with --gpu-type only', () => {
    it('picks the devices of that type', () => {
      expect(resolveGpuInventory({ detected: [H0, A2, H1, U3], gpuType: 'H100' })).toEqual({
        ok: true,
        inventory: { gpuType: 'H100', deviceIds: ['0', '1'], devices: [H0, H1] },
      });
    });

    it('on a host where no device is known, takes them all as that type', () => {
      expect(resolveGpuInventory({ detected: [U3, U4], gpuType: 'H100' })).toEqual({
        ok: true,
        inventory: { gpuType: 'H100', deviceIds: ['3', '4'], devices: [U3, U4] },
      });
    });

    it('does not take unknown devices when a known one is present; none of the type is an error', () => {
      expect(resolveGpuInventory({ detected: [A2, U3, U4], gpuType: 'H100' })).toEqual({
        ok: false,
        errors: ['no H100 device on this host (nvidia-smi lists 2: A100; 3: "NVIDIA L40"; 4: "NVIDIA H800")'],
      });
      expect(resolveGpuInventory({ detected: [A2, U3], gpuType: 'A100' })).toEqual({
        ok: true,
        inventory: { gpuType: 'A100', deviceIds: ['2'], devices: [A2] },
      });
    });

    it('an empty host has no device of the type', () => {
      expect(resolveGpuInventory({ detected: [], gpuType: 'L4' })).toEqual({
        ok: false,
        errors: ['no L4 device on this host (nvidia-smi lists no devices)'],
      });
    });
  });

  describe('with no override', () => {
    it('an empty host is refused', () => {
      expect(resolveGpuInventory({ detected: [] })).toEqual({
        ok: false,
        errors: ['nvidia-smi lists no GPU on this host'],
      });
    });

    it('a uniform host is served whole, in nvidia-smi order', () => {
      expect(resolveGpuInventory({ detected: [H1, H0] })).toEqual({
        ok: true,
        inventory: { gpuType: 'H100', deviceIds: ['1', '0'], devices: [H1, H0] },
      });
      expect(resolveGpuInventory({ detected: [A2] })).toEqual({
        ok: true,
        inventory: { gpuType: 'A100', deviceIds: ['2'], devices: [A2] },
      });
    });

    it('an unknown device is reported even on an otherwise uniform host', () => {
      expect(resolveGpuInventory({ detected: [H0, U3] })).toEqual({
        ok: false,
        errors: ['device 3 "NVIDIA L40" is not a catalog GPU type; pass --gpu-type to say what to build for'],
      });
    });

    it('a mixed host names each group with its ids', () => {
      expect(resolveGpuInventory({ detected: [A2, H0, H1] })).toEqual({
        ok: false,
        errors: [
          'this host mixes GPU types (2: A100; 0,1: H100); a worker serves one type: pass --gpu-type or device ids',
        ],
      });
    });
  });
});
