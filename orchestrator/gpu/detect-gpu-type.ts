/**
 * Maps an `nvidia-smi` device name (plus its memory size) to a catalog GPU type, matching the
 * catalog's name patterns on word boundaries, so "NVIDIA L40", "NVIDIA T400" and "NVIDIA GH200
 * 480GB" stay unknown instead of becoming L4, T4 or H200. The memory size separates the 40 GB and
 * 80 GB A100/H100 parts.
 */
import { allGpus, type GpuType } from './catalog.js';

/** Catalog type of a device, or undefined when no catalog entry is this device. */
export function detectGpuType(name: string, memoryMiB: number | null = null): GpuType | undefined {
  const haystack = ` ${name.toLowerCase().replace(/\s+/g, ' ')} `;
  let best: { type: GpuType; length: number } | undefined;
  for (const info of allGpus()) {
    for (const pattern of info.nvidiaSmiNames) {
      if (matchesOnBoundary(haystack, pattern) && (!best || pattern.length > best.length)) {
        best = { type: info.type, length: pattern.length };
      }
    }
  }
  return best === undefined ? undefined : refineByMemory(best.type, memoryMiB);
}

function matchesOnBoundary(haystack: string, pattern: string): boolean {
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(pattern, from);
    if (at === -1) return false;
    // charAt past either end is '', which is no word character
    const before = haystack.charAt(at - 1);
    const after = haystack.charAt(at + pattern.length);
    const startsOk = pattern.startsWith(' ') || !isWordChar(before);
    if (startsOk && !isWordChar(after)) return true;
    from = at + 1;
  }
}

function isWordChar(c: string): boolean {
  return /[a-z0-9]/.test(c);
}

/** A 40 GB part named like the 80 GB one (or the reverse) is told apart by its memory. */
function refineByMemory(type: GpuType, memoryMiB: number | null): GpuType {
  if (memoryMiB === null) return type;
  const big = memoryMiB >= 60 * 1024;
  if (type === 'A100' || type === 'A100_40GB') return big ? 'A100' : 'A100_40GB';
  if (type === 'H100' || type === 'H100_40GB') return big ? 'H100' : 'H100_40GB';
  return type;
}
