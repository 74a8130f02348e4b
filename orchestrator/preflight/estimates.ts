/**
 * Disk needs and a rough build-time estimate per step (pure). The throughputs are assumptions,
 * listed in preflight/README.md; the estimate is labelled as rough wherever it is shown.
 */
import type { ModelFacts } from './model-facts.js';
import { paramCount } from './param-count.js';
import { weightBytes } from './memory-model.js';
import type { PreflightSettings } from './settings.js';
import type { WeightFormat } from './support-table.js';
import type { BuildTimeStep, DiskSection } from './types.js';

/** Assumed rates (bytes/s, FLOP/s): download, disk-bound conversion, engine build, dense BF16 GEMM per GPU. */
export const RATES = { fetch: 400e6, convert: 1.5e9, engineBuild: 0.5e9, gemmFlops: 100e12 } as const;
export const BUILD_TIME_LABEL = 'rough estimate: fixed throughput assumptions, not a measurement';

/** Checkpoint + converted/quantized checkpoint + engine, bytes. */
export function diskNeeds(f: ModelFacts, s: PreflightSettings, checkpointBytes: number | null): DiskSection {
  const ckpt = Math.ceil(checkpointBytes ?? weightBytes(f, 'bf16'));
  const converted = Math.ceil(weightBytes(f, s.weightFormat));
  const hasConvert = s.stack === 'v1' || s.quantizes;
  const engine = s.stack === 'v1' ? converted : 0;
  const convertedBytes = hasConvert ? converted : 0;
  return { checkpointBytes: ckpt, convertedBytes, engineBytes: engine, totalBytes: ckpt + convertedBytes + engine };
}

/** Seconds per planned step kind, rough. */
export function buildTimeEstimate(f: ModelFacts, s: PreflightSettings, disk: DiskSection): BuildTimeStep[] {
  const steps: BuildTimeStep[] = [{ kind: 'fetch', seconds: Math.ceil(disk.checkpointBytes / RATES.fetch) }];
  if (s.quantizes) {
    const tokens = s.calibSize * s.calibMaxSeqLength;
    const flops = 2 * paramCount(f) * tokens;
    const gpus = Math.max(1, s.builderGpus);
    steps.push({
      kind: 'quantize',
      seconds: Math.ceil(60 + (2 * disk.checkpointBytes) / RATES.convert + flops / (RATES.gemmFlops * gpus)),
    });
  } else if (s.stack === 'v1') {
    steps.push({ kind: 'convert', seconds: Math.ceil(30 + (2 * disk.checkpointBytes) / RATES.convert) });
  }
  if (s.stack === 'v1') {
    const workers = Math.max(1, Math.min(s.builderGpus, s.tp * s.pp));
    steps.push({ kind: 'engine_build', seconds: Math.ceil(60 + disk.engineBytes / (RATES.engineBuild * workers)) });
  }
  return steps;
}

/** Bytes per BF16 checkpoint byte after conversion in each format (embeddings kept 16-bit; sizes.md §2, Llama-8B ratios rounded up). */
const FORMAT_RATIO = { bf16: 1, fp8: 0.57, nvfp4: 0.38 } as const;

/**
 * What a worker needs free before it fetches, from the resolved checkpoint size alone (it has no
 * config.json yet): checkpoint + converted checkpoint + engine, as in `diskNeeds`.
 */
export function diskNeedFromCheckpoint(
  checkpointBytes: number,
  plan: { readonly stack: 'v1' | 'v2'; readonly steps: readonly { readonly kind: string }[] },
  format: WeightFormat,
): number {
  const ckpt = Number.isFinite(checkpointBytes) && checkpointBytes > 0 ? checkpointBytes : 0;
  const converted = Math.ceil(ckpt * FORMAT_RATIO[format]);
  const hasConvert = plan.steps.some((s) => s.kind === 'convert' || s.kind === 'quantize');
  return ckpt + (hasConvert ? converted : 0) + (plan.stack === 'v1' ? converted : 0);
}

/** The worker's free-disk verdict: null when it fits, else the message for the build's failure. */
export function diskShortfall(neededBytes: number, freeBytes: number): string | null {
  if (neededBytes <= freeBytes) return null;
  const gb = (b: number): string => `${(b / 1e9).toFixed(1)} GB`;
  return `the build needs about ${gb(neededBytes)} of disk (checkpoint + converted checkpoint + engine) but the worker has ${gb(freeBytes)} free; free space under WORK_DIR/CACHE_DIR or run the build on a worker with more disk`;
}
