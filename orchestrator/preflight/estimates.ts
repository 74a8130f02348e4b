/**
 * Disk needs and a rough build-time estimate per step (pure). The throughputs are assumptions,
 * listed in preflight/README.md; the estimate is labelled as rough wherever it is shown.
 */
import type { ModelFacts } from './model-facts.js';
import { paramCount } from './param-count.js';
import { weightBytes } from './memory-model.js';
import type { PreflightSettings } from './settings.js';
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
    steps.push({ kind: 'quantize', seconds: Math.ceil(60 + (2 * disk.checkpointBytes) / RATES.convert + flops / (RATES.gemmFlops * gpus)) });
  } else if (s.stack === 'v1') {
    steps.push({ kind: 'convert', seconds: Math.ceil(30 + (2 * disk.checkpointBytes) / RATES.convert) });
  }
  if (s.stack === 'v1') {
    const workers = Math.max(1, Math.min(s.builderGpus, s.tp * s.pp));
    steps.push({ kind: 'engine_build', seconds: Math.ceil(60 + disk.engineBytes / (RATES.engineBuild * workers)) });
  }
  return steps;
}
