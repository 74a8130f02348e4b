/**
 * Decides which GPU type a worker serves and which device ids it may hand out, from what
 * `nvidia-smi` reported (or nothing, where it is unavailable) and the `--gpu-type` / device-id
 * overrides. Pure; every problem is reported at once with what was expected and what arrived.
 */
import { GPU_TYPES, isGpuType, type GpuType } from './catalog.js';
import type { GpuDevice } from './parse-nvidia-smi.js';

export interface InventoryInput {
  /** Devices from nvidia-smi, or null when it could not be run. */
  readonly detected: readonly GpuDevice[] | null;
  /** `--gpu-type` override (a catalog name such as `H100`). */
  readonly gpuType?: string | null;
  /** Device-id override (indexes or GPU- UUIDs). */
  readonly deviceIds?: readonly string[] | null;
}

export interface GpuInventory {
  readonly gpuType: GpuType;
  /** Device ids to allocate, in order (indexes as strings when detection ran). */
  readonly deviceIds: readonly string[];
  /** The selected devices as detected (empty when detection was unavailable). */
  readonly devices: readonly GpuDevice[];
}

export type InventoryResult =
  | { readonly ok: true; readonly inventory: GpuInventory }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Resolves the worker's GPU type and device ids; see the module comment for the rules. */
export function resolveGpuInventory(input: InventoryInput): InventoryResult {
  const errors: string[] = [];
  const typeOverride = input.gpuType ?? null;
  if (typeOverride !== null && !isGpuType(typeOverride)) {
    errors.push(
      `--gpu-type ${JSON.stringify(typeOverride)} is not a catalog GPU type; expected one of ${GPU_TYPES.join(', ')}`,
    );
  }
  const ids = input.deviceIds ?? null;
  if (ids !== null) {
    if (ids.length === 0) errors.push('the device-id override is empty; give at least one id or leave it unset');
    const seen = new Set<string>();
    for (const id of ids) {
      // A GPU- UUID: 8-64 hex digits and single hyphens between them (GPU-xxxxxxxx-xxxx-…).
      if (!/^(?:\d{1,3}|GPU-[0-9a-fA-F](?:[0-9a-fA-F]|-(?=[0-9a-fA-F])){7,63})$/.test(id))
        errors.push(`device id ${JSON.stringify(id.slice(0, 80))} is neither an index nor a GPU- UUID`);
      if (seen.has(id)) errors.push(`device id ${id} is listed twice`);
      seen.add(id);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const gpuType = typeOverride as GpuType | null;

  if (input.detected === null) {
    if (gpuType === null || ids === null) {
      return {
        ok: false,
        errors: ['nvidia-smi is unavailable, so the GPUs cannot be detected: pass both --gpu-type and the device ids'],
      };
    }
    return { ok: true, inventory: { gpuType, deviceIds: [...ids], devices: [] } };
  }

  const detected = input.detected;
  let selected: GpuDevice[];
  if (ids !== null) {
    selected = [];
    for (const id of ids) {
      // UUIDs are hex: an override in another letter case names the same device.
      const d = detected.find((x) => x.id === id || x.uuid.toLowerCase() === id.toLowerCase());
      if (d === undefined)
        errors.push(`device id ${id} is not on this host (nvidia-smi lists ${describeIds(detected)})`);
      else if (selected.includes(d)) errors.push(`device ids name device ${d.id} twice (index and UUID)`);
      else selected.push(d);
    }
  } else if (gpuType !== null) {
    // a host where nvidia-smi knows no device at all is taken whole as the --gpu-type
    const allUnknown = detected.every((x) => x.type === null);
    selected = detected.filter((d) => allUnknown || d.type === gpuType);
    if (selected.length === 0)
      errors.push(`no ${gpuType} device on this host (nvidia-smi lists ${describeDevices(detected)})`);
  } else {
    selected = [...detected];
  }
  if (errors.length > 0) return { ok: false, errors };
  if (selected.length === 0) return { ok: false, errors: ['nvidia-smi lists no GPU on this host'] };

  if (gpuType !== null) {
    for (const d of selected) {
      if (d.type !== null && d.type !== gpuType)
        errors.push(`device ${d.id} is ${JSON.stringify(d.name)} (${d.type}), not the --gpu-type ${gpuType}`);
    }
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, inventory: { gpuType, deviceIds: selected.map((d) => d.id), devices: selected } };
  }
  const unknown = selected.filter((d) => d.type === null);
  for (const d of unknown)
    errors.push(
      `device ${d.id} ${JSON.stringify(d.name)} is not a catalog GPU type; pass --gpu-type to say what to build for`,
    );
  if (errors.length > 0) return { ok: false, errors };
  const types = [...new Set(selected.map((d) => d.type))];
  if (types.length > 1) {
    return {
      ok: false,
      errors: [
        `this host mixes GPU types (${describeDevices(selected)}); a worker serves one type: pass --gpu-type or device ids`,
      ],
    };
  }
  return {
    ok: true,
    inventory: { gpuType: types[0] as GpuType, deviceIds: selected.map((d) => d.id), devices: selected },
  };
}

function describeIds(devices: readonly GpuDevice[]): string {
  return devices.length === 0 ? 'no devices' : devices.map((d) => d.id).join(', ');
}

function describeDevices(devices: readonly GpuDevice[]): string {
  if (devices.length === 0) return 'no devices';
  const byType = new Map<string, string[]>();
  for (const d of devices) {
    const key = d.type ?? JSON.stringify(d.name);
    byType.set(key, [...(byType.get(key) ?? []), d.id]);
  }
  return [...byType].map(([t, ids]) => `${ids.join(',')}: ${t}`).join('; ');
}
