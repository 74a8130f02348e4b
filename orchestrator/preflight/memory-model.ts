/**
 * The memory model (pure): weight bytes per GPU for the format, KV-cache bytes per token (GQA and
 * MLA), a rough activation and runtime-overhead allowance, the KV-cache capacity left at the
 * configured free-memory fraction, and the builder GPUs calibration needs. Formulas and sources:
 * preflight/README.md. Total: every input gives finite, non-negative numbers.
 */
import type { ModelFacts } from './model-facts.js';
import { embeddingParams, expertParams, paramCount } from './param-count.js';
import type { WeightFormat } from './support-table.js';

export const GIB = 1024 ** 3;
/** CUDA context, cuBLAS/cuDNN workspaces and the runtime's own buffers per GPU (reference: 1–3 GB). */
export const RUNTIME_OVERHEAD_BYTES = 1.5 * GIB;
/** Extra per GPU for NCCL buffers when the model is split over several GPUs. */
export const NCCL_OVERHEAD_BYTES = 0.5 * GIB;

/** Weight bytes of the whole model in a format (sizes.md §2: embeddings and LM head stay 16-bit). */
export function weightBytes(f: ModelFacts, format: WeightFormat): number {
  const total = paramCount(f);
  const emb = Math.min(total, embeddingParams(f));
  const lin = total - emb;
  if (format === 'fp8') return lin + 2 * emb;
  if (format === 'nvfp4') return lin * (0.5 + 1 / 16) + 2 * emb;
  // bf16 requested: a pre-quantized checkpoint keeps its stored format.
  if (f.preQuantized === 'fp8') return lin * (1 + 4 / 16384) + 2 * emb;
  if (f.preQuantized === 'mxfp4') {
    const experts = Math.min(total, expertParams(f));
    return experts * (4.25 / 8) + (total - experts) * 2;
  }
  return 2 * total;
}

/** Bytes of BF16 weights (what quantize.py loads for calibration). */
export function bf16WeightBytes(f: ModelFacts): number {
  return 2 * paramCount(f);
}

/** KV-cache bytes per token on one GPU: GQA `2·⌈L/pp⌉·⌈kv/tp⌉·hd·b`; MLA `⌈L/pp⌉·(kv_lora+rope)·b` (not split by TP). */
export function kvBytesPerToken(f: ModelFacts, tp: number, pp: number, kvFp8: boolean): number {
  const b = kvFp8 ? 1 : 2;
  const layers = Math.ceil(f.numLayers / Math.max(1, pp));
  if (f.mla !== null) return layers * (f.mla.kvLoraRank + f.mla.qkRopeHeadDim) * b;
  return 2 * layers * Math.ceil(f.numKvHeads / Math.max(1, tp)) * f.headDim * b;
}

/** Rough activation/workspace bytes per GPU for one engine step of `maxNumTokens` tokens plus the logits. */
export function activationBytes(f: ModelFacts, tp: number, maxNumTokens: number, maxBatchSize: number): number {
  const ffn = f.moe !== null ? f.moe.expertsPerToken * f.moe.expertIntermediateSize : f.intermediateSize;
  const perToken = (4 * f.hiddenSize + (2 * ffn) / Math.max(1, tp)) * 2;
  return maxNumTokens * perToken + (maxBatchSize * f.vocabSize * 4) / Math.max(1, tp);
}

export interface MemoryInput {
  readonly format: WeightFormat;
  readonly kvFp8: boolean;
  readonly tp: number;
  readonly pp: number;
  readonly gpuMemoryBytes: number;
  readonly maxBatchSize: number;
  readonly maxNumTokens: number;
  /** The sequence length the engine is built for (user's or the model's). */
  readonly maxSeqLen: number;
  readonly freeGpuMemFraction: number;
}

/** One GPU's memory budget, bytes (tokens for the capacity). */
export interface MemoryTable {
  readonly gpuMemoryBytes: number;
  readonly weightsBytes: number;
  readonly activationBytes: number;
  readonly overheadBytes: number;
  /** Memory the KV cache gets: (total − weights − activations − overhead) × free fraction, ≥ 0. */
  readonly kvCacheBytes: number;
  readonly kvBytesPerToken: number;
  /** Tokens the KV cache holds on this GPU (all sequences together). */
  readonly kvCapacityTokens: number;
  /** max_batch_size × max_seq_len: what the configured limits could ask for. */
  readonly requestedTokens: number;
  /** Weights + activations + overhead exceed the GPU. */
  readonly weightsFit: boolean;
  /** Concurrent sequences of max_seq_len that fit (0 when not even one does). */
  readonly sequencesAtMaxSeqLen: number;
  /** Longest sequence that fits when max_batch_size sequences run at once. */
  readonly seqLenAtMaxBatch: number;
}

function nonNeg(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

/** The per-GPU memory table for a model and build settings. */
export function memoryTable(f: ModelFacts, m: MemoryInput): MemoryTable {
  const world = Math.max(1, m.tp) * Math.max(1, m.pp);
  const weights = nonNeg(weightBytes(f, m.format) / world);
  const act = nonNeg(activationBytes(f, m.tp, m.maxNumTokens, m.maxBatchSize));
  const overhead = RUNTIME_OVERHEAD_BYTES + (world > 1 ? NCCL_OVERHEAD_BYTES : 0);
  const gpu = nonNeg(m.gpuMemoryBytes);
  const fraction = Math.min(1, nonNeg(m.freeGpuMemFraction));
  const kvCache = Math.floor(nonNeg(gpu - weights - act - overhead) * fraction);
  const perToken = Math.max(1, kvBytesPerToken(f, m.tp, m.pp, m.kvFp8));
  const capacity = Math.floor(kvCache / perToken);
  const seqLen = Math.max(1, m.maxSeqLen);
  const batch = Math.max(1, m.maxBatchSize);
  return {
    gpuMemoryBytes: gpu,
    weightsBytes: Math.ceil(weights),
    activationBytes: Math.ceil(act),
    overheadBytes: overhead,
    kvCacheBytes: kvCache,
    kvBytesPerToken: perToken,
    kvCapacityTokens: capacity,
    requestedTokens: batch * seqLen,
    weightsFit: weights + overhead <= gpu,
    sequencesAtMaxSeqLen: Math.floor(capacity / seqLen),
    seqLenAtMaxBatch: Math.floor(capacity / batch),
  };
}

/** GPUs quantize.py needs to hold the BF16 weights for calibration (`device_map="auto"`), ≥ 1. */
export function calibrationGpusNeeded(f: ModelFacts, gpuMemoryBytes: number): number {
  const usable = gpuMemoryBytes * 0.9 - RUNTIME_OVERHEAD_BYTES;
  if (!(usable > 0)) return Number.MAX_SAFE_INTEGER;
  return Math.max(1, Math.ceil(bf16WeightBytes(f) / usable));
}
