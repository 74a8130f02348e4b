/**
 * Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits`
 * output into devices with their catalog type. Pure; the command itself runs in exec/detect-gpus.ts.
 */
import type { GpuType } from './catalog.js';
import { detectGpuType } from './detect-gpu-type.js';

/** The exact query the worker runs. */
export const NVIDIA_SMI_ARGS = ['--query-gpu=index,uuid,name,memory.total', '--format=csv,noheader,nounits'] as const;

export interface GpuDevice {
  /** Device id used for `--gpus device=` and `CUDA_VISIBLE_DEVICES`: the index as a string. */
  readonly id: string;
  readonly index: number;
  readonly uuid: string;
  /** Name as printed, e.g. "NVIDIA H100 80GB HBM3". */
  readonly name: string;
  /** memory.total in MiB, or null when the driver prints `[N/A]`. */
  readonly memoryMiB: number | null;
  /** Catalog type, or null for a device the catalog does not know (e.g. "NVIDIA L40"). */
  readonly type: GpuType | null;
}

export interface ParsedNvidiaSmi {
  readonly devices: readonly GpuDevice[];
  /** One message per line that could not be read (with its line number). */
  readonly problems: readonly string[];
}

const UUID = /^GPU-[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;

/** Parses the CSV output; bad lines become problems, never exceptions. */
export function parseNvidiaSmi(output: string): ParsedNvidiaSmi {
  const devices: GpuDevice[] = [];
  const problems: string[] = [];
  const lines = output.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    const where = `nvidia-smi line ${i + 1}`;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 4) {
      problems.push(
        `${where}: expected 4 fields (index, uuid, name, memory.total), got ${fields.length}: ${clip(line)}`,
      );
      return;
    }
    const [indexText, uuid, name, memText] = fields as [string, string, string, string];
    if (!/^\d{1,3}$/.test(indexText)) {
      problems.push(`${where}: index ${JSON.stringify(clip(indexText))} is not a device index`);
      return;
    }
    if (!UUID.test(uuid)) {
      problems.push(`${where}: uuid ${JSON.stringify(clip(uuid))} is not a GPU-… UUID`);
      return;
    }
    if (name.length === 0) {
      problems.push(`${where}: empty device name`);
      return;
    }
    let memoryMiB: number | null = null;
    if (/^\d+$/.test(memText)) memoryMiB = Number.parseInt(memText, 10);
    else if (memText !== '[N/A]') {
      problems.push(
        `${where}: memory.total ${JSON.stringify(clip(memText))} is not a number of MiB (use --format=csv,noheader,nounits)`,
      );
      return;
    }
    const index = Number.parseInt(indexText, 10);
    if (devices.some((d) => d.index === index)) {
      problems.push(`${where}: device index ${index} listed twice`);
      return;
    }
    devices.push({ id: String(index), index, uuid, name, memoryMiB, type: detectGpuType(name, memoryMiB) ?? null });
  });
  return { devices, problems };
}

function clip(s: string): string {
  return s.length <= 120 ? s : `${s.slice(0, 120)}…`;
}
