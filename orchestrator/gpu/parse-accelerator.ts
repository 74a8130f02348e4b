/**
 * Parsing of `resources.accelerator` (`H100`, `H100:2`) and `resources.instance_type`
 * (`H100:8x80`, `H100:2:16x160`: GPU type, optional GPU count, vCPUs x memory GiB). Pure.
 */
import { GPU_TYPES, isGpuType } from './catalog.js';
import type { GpuType } from './catalog.js';

export type AcceleratorParse =
  | { readonly ok: true; readonly type: GpuType; readonly count: number }
  | {
      readonly ok: false;
      readonly code: 'ACCELERATOR_TYPE_UNKNOWN' | 'ACCELERATOR_COUNT_INVALID' | 'ACCELERATOR_INVALID';
      readonly message: string;
    };

export type InstanceTypeParse =
  | {
      readonly ok: true;
      readonly gpu: { readonly type: GpuType; readonly count: number } | null;
      readonly cpu: number;
      readonly memoryGiB: number;
    }
  | {
      readonly ok: false;
      readonly code: 'INSTANCE_TYPE_INVALID' | 'ACCELERATOR_TYPE_UNKNOWN';
      readonly message: string;
    };

const COUNT = /^[1-9][0-9]{0,3}$/;

function unknownType(name: string): { ok: false; code: 'ACCELERATOR_TYPE_UNKNOWN'; message: string } {
  const upper = name.toUpperCase();
  const hint = isGpuType(upper) ? `; did you mean ${upper}?` : '';
  return {
    ok: false,
    code: 'ACCELERATOR_TYPE_UNKNOWN',
    message: `unknown accelerator type ${JSON.stringify(name)}${hint} (known: ${GPU_TYPES.join(', ')})`,
  };
}

/** Parses `TYPE[:COUNT]`; the count is a positive integer and defaults to 1. */
export function parseAccelerator(text: string): AcceleratorParse {
  const parts = text.trim().split(':');
  if (parts.length > 2 || !parts[0]) {
    return {
      ok: false,
      code: 'ACCELERATOR_INVALID',
      message: `expected TYPE or TYPE:COUNT such as H100 or H100:2 (got ${JSON.stringify(text)})`,
    };
  }
  const name = parts[0];
  if (!isGpuType(name)) return unknownType(name);
  const countText = parts[1];
  if (countText === undefined) return { ok: true, type: name, count: 1 };
  if (!COUNT.test(countText)) {
    return {
      ok: false,
      code: 'ACCELERATOR_COUNT_INVALID',
      message: `GPU count must be a positive integer (got ${JSON.stringify(countText)}); e.g. ${name}:2`,
    };
  }
  return { ok: true, type: name, count: Number(countText) };
}

const INSTANCE = /^(?:([A-Za-z0-9_]+):(?:([0-9]+):)?)?([0-9]+)x([0-9]+)$/;

/** Parses `[<GPU>[:<COUNT>]:]<vCPU>x<MEM>`; a CPU-only type has no GPU part. */
export function parseInstanceType(text: string): InstanceTypeParse {
  const m = INSTANCE.exec(text.trim());
  if (!m) {
    return {
      ok: false,
      code: 'INSTANCE_TYPE_INVALID',
      message: `expected <GPU>:<vCPU>x<MEM> such as H100:8x80 (or <GPU>:<COUNT>:<vCPU>x<MEM>) (got ${JSON.stringify(text)})`,
    };
  }
  const [, gpuName, countText, cpuText, memText] = m;
  const cpu = Number(cpuText);
  const memoryGiB = Number(memText);
  if (cpu < 1 || memoryGiB < 1) {
    return {
      ok: false,
      code: 'INSTANCE_TYPE_INVALID',
      message: `vCPU and memory must be positive (got ${JSON.stringify(text)})`,
    };
  }
  if (gpuName === undefined) return { ok: true, gpu: null, cpu, memoryGiB };
  if (!isGpuType(gpuName)) return unknownType(gpuName);
  // The same count rule as `accelerator`: 1-9999, no leading zero.
  if (countText !== undefined && !COUNT.test(countText))
    return {
      ok: false,
      code: 'INSTANCE_TYPE_INVALID',
      message: `GPU count must be an integer from 1 to 9999 without a leading zero (got ${JSON.stringify(text)})`,
    };
  const count = countText === undefined ? 1 : Number(countText);
  return { ok: true, gpu: { type: gpuName, count }, cpu, memoryGiB };
}
