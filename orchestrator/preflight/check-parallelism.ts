/**
 * Parallelism checks (pure), support-1.2.md §3: attention heads % TP; KV heads vs TP (divisible,
 * or replicated when TP > KV heads and TP % KV == 0); FFN widths % TP; experts % EP; layers % PP;
 * (the BERT converter's TP ≤ 2 is a planner rule already).
 */
import { err, warn, type Finding } from './finding.js';
import type { ModelFacts } from './model-facts.js';
import type { PreflightSettings } from './settings.js';

/** Does this TP size split the model's heads (the KV rule included)? */
export function tpSplitsHeads(f: ModelFacts, tp: number): boolean {
  if (tp < 1 || f.numHeads % tp !== 0) return false;
  if (f.mla !== null) return true;
  const kv = f.numKvHeads;
  return kv >= tp ? kv % tp === 0 : tp % kv === 0;
}

/** TP sizes ≤ 16 that split the model's heads. */
export function validTpSizes(f: ModelFacts): number[] {
  const out: number[] = [];
  for (let tp = 1; tp <= 16; tp += 1) if (tpSplitsHeads(f, tp)) out.push(tp);
  return out;
}

/** Head, KV-head, FFN, expert, layer and converter parallelism findings. */
export function checkParallelism(f: ModelFacts, s: PreflightSettings): Finding[] {
  const out: Finding[] = [];
  const tp = s.tp;
  const valid = validTpSizes(f).join(', ');
  if (f.numHeads % tp !== 0) {
    out.push(
      err(
        'PREFLIGHT_HEADS_NOT_DIVISIBLE',
        s.tpPath,
        `${f.numHeads} attention heads cannot be split over ${tp} GPUs (${f.numHeads} % ${tp} = ${f.numHeads % tp}); use a tensor parallel size of ${valid} (and the matching GPU count)`,
      ),
    );
  } else if (f.mla === null) {
    const kv = f.numKvHeads;
    if (kv >= tp && kv % tp !== 0) {
      out.push(
        err(
          'PREFLIGHT_KV_HEADS_NOT_DIVISIBLE',
          s.tpPath,
          `${kv} KV heads cannot be split over ${tp} GPUs (${kv} % ${tp} = ${kv % tp}); use a tensor parallel size of ${valid}`,
        ),
      );
    } else if (kv < tp && tp % kv !== 0) {
      out.push(
        err(
          'PREFLIGHT_KV_HEADS_NOT_DIVISIBLE',
          s.tpPath,
          `${tp} GPUs exceed the ${kv} KV heads and ${tp} is not a multiple of ${kv}, so the heads cannot be replicated evenly; use a tensor parallel size of ${valid}`,
        ),
      );
    } else if (kv < tp) {
      out.push(
        warn(
          'PREFLIGHT_KV_HEADS_REPLICATED',
          s.tpPath,
          `tensor parallel size ${tp} exceeds the ${kv} KV heads: each KV head is replicated ${tp / kv} times, so KV-cache memory per GPU stops shrinking beyond TP ${kv}`,
        ),
      );
    }
  }
  const moeTp = f.moe !== null && s.ep !== null && tp % s.ep === 0 ? tp / s.ep : tp;
  if (f.moe === null && f.intermediateSize > 0 && f.intermediateSize % tp !== 0) {
    out.push(
      err(
        'PREFLIGHT_FFN_NOT_DIVISIBLE',
        s.tpPath,
        `intermediate_size ${f.intermediateSize} is not divisible by tensor parallel size ${tp}; use ${valid}`,
      ),
    );
  }
  if (f.moe !== null && f.moe.expertIntermediateSize % moeTp !== 0) {
    out.push(
      err(
        'PREFLIGHT_FFN_NOT_DIVISIBLE',
        s.tpPath,
        `moe_intermediate_size ${f.moe.expertIntermediateSize} is not divisible by the expert tensor-parallel size ${moeTp}; change tensor parallelism or expert parallelism`,
      ),
    );
  }
  if (s.ep !== null) {
    if (f.moe === null) {
      out.push(
        warn(
          'PREFLIGHT_EP_WITHOUT_EXPERTS',
          s.epPath,
          `expert parallelism ${s.ep} is set but ${f.architecture} has no experts; remove it`,
        ),
      );
    } else if (f.moe.numExperts % s.ep !== 0) {
      const divisors = [1, 2, 4, 8, 16, 32, 64].filter(
        (d) => d <= tp && f.moe !== null && f.moe.numExperts % d === 0 && tp % d === 0,
      );
      out.push(
        err(
          'PREFLIGHT_EXPERTS_NOT_DIVISIBLE',
          s.epPath,
          `${f.moe.numExperts} experts cannot be split over expert parallel size ${s.ep} (${f.moe.numExperts} % ${s.ep} = ${f.moe.numExperts % s.ep}); use ${divisors.join(', ')}`,
        ),
      );
    }
  }
  if (f.numLayers % s.pp !== 0) {
    const msg = `${f.numLayers} layers do not split evenly over pipeline_parallel_count ${s.pp}`;
    out.push(
      s.stack === 'v1'
        ? err(
            'PREFLIGHT_LAYERS_NOT_DIVISIBLE',
            'trt_llm.build.pipeline_parallel_count',
            `${msg}; the 1.2 engine path floors the split: use a divisor of ${f.numLayers}`,
          )
        : warn(
            'PREFLIGHT_LAYERS_NOT_DIVISIBLE',
            'trt_llm.build.pipeline_parallel_count',
            `${msg}; the first ranks get one extra layer`,
          ),
    );
  }
  return out;
}
