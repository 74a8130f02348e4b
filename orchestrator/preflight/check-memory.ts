/**
 * Memory findings (pure): an error when the weights alone do not fit one GPU (with the TP/format
 * that would), a warning with the largest batch × sequence the KV cache holds, and an error when
 * quantize.py's calibration needs more builder GPUs than planned.
 */
import { err, warn, type Finding } from './finding.js';
import { GIB, type MemoryTable, bf16WeightBytes, calibrationGpusNeeded, weightBytes } from './memory-model.js';
import type { ModelFacts } from './model-facts.js';
import { validTpSizes } from './check-parallelism.js';
import type { PreflightSettings } from './settings.js';

function gib(b: number): string {
  return `${(b / GIB).toFixed(1)} GiB`;
}

/** The smallest valid TP (× this PP) at which the weights fit, or null. */
function fittingTp(f: ModelFacts, s: PreflightSettings, table: (tp: number) => MemoryTable): number | null {
  for (const tp of validTpSizes(f)) if (tp > s.tp && table(tp).weightsFit) return tp;
  return null;
}

/** Findings from the memory table at the configured settings. */
export function checkMemory(
  f: ModelFacts,
  s: PreflightSettings,
  maxSeqLen: number,
  input: (tp: number) => MemoryTable,
): Finding[] {
  const out: Finding[] = [];
  const t = input(s.tp);
  if (!t.weightsFit) {
    const tp = fittingTp(f, s, input);
    const fmt =
      s.weightFormat === 'bf16' && s.gpu.sm >= 89 && f.preQuantized === null
        ? ` or quantization_type: fp8 (${gib(weightBytes(f, 'fp8') / (s.tp * s.pp))} per GPU)`
        : '';
    const fix =
      tp !== null
        ? `use ${tp} GPUs (tensor parallel ${tp}, accelerator ${s.gpu.type}:${tp * s.pp})${fmt}`
        : `use a larger GPU or a smaller format${fmt}`;
    out.push(
      err(
        'PREFLIGHT_WEIGHTS_DO_NOT_FIT',
        s.tpPath,
        `the weights need ${gib(t.weightsBytes)} per GPU plus ${gib(t.overheadBytes)} runtime overhead, more than the ${gib(t.gpuMemoryBytes)} of one ${s.gpu.type} at tensor parallel ${s.tp}: ${fix}`,
      ),
    );
    return out;
  }
  if (t.kvCapacityTokens < t.requestedTokens && s.baseModel === 'decoder') {
    const fits =
      t.sequencesAtMaxSeqLen >= 1
        ? `${t.sequencesAtMaxSeqLen} concurrent sequence(s) of ${maxSeqLen} tokens, or ${s.maxBatchSize} sequences of ${t.seqLenAtMaxBatch} tokens`
        : `not one sequence of ${maxSeqLen} tokens (at most ${t.kvCapacityTokens} tokens)`;
    out.push(
      warn(
        'PREFLIGHT_KV_CACHE_LIMITS_BATCH',
        s.maxSeqLenPath,
        `the KV cache gets ${gib(t.kvCacheBytes)} per GPU (${t.kvBytesPerToken} bytes per token) and holds ${t.kvCapacityTokens} tokens: ${fits}, not max_batch_size ${s.maxBatchSize} × max_seq_len ${maxSeqLen}; requests queue or are rejected past that${s.kvFp8 ? '' : ' (an FP8 KV cache, quantization_type fp8_kv, doubles it)'}`,
      ),
    );
  }
  if (s.quantizes && f.preQuantized === null) {
    const need = calibrationGpusNeeded(f, s.gpu.memoryGiB * GIB);
    if (need > s.builderGpus) {
      out.push(
        err(
          'PREFLIGHT_CALIBRATION_GPUS',
          'trt_llm.build.num_builder_gpus',
          `quantize.py loads the BF16 weights (${gib(bf16WeightBytes(f))}) onto the builder GPUs for calibration and needs ${need} × ${s.gpu.type}, but the plan builds on ${s.builderGpus}: set num_builder_gpus: ${need}`,
        ),
      );
    }
  }
  return out;
}
