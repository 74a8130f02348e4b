/**
 * Parameter count from model facts (pure), with the per-architecture formulas of
 * shared/reference/preflight/sizes.md §3. Tests compare it with published checkpoint sizes.
 */
import type { ModelFacts } from './model-facts.js';

/** Embedding + LM-head parameters (the part quantize.py keeps 16-bit). */
export function embeddingParams(f: ModelFacts): number {
  return f.vocabSize * f.hiddenSize * (f.tieWordEmbeddings ? 1 : 2);
}

function isBert(f: ModelFacts): boolean {
  return /^(bert|roberta|xlm-roberta)$/.test(f.modelType) || /^(Bert|Roberta|XLMRoberta)/.test(f.architecture);
}

function bertParams(f: ModelFacts): number {
  const H = f.hiddenSize;
  const I = f.intermediateSize || 4 * H;
  const P = f.maxPositionEmbeddings ?? 512;
  const emb = f.vocabSize * H + P * H + 2 * H + 2 * H;
  const layer = 4 * (H * H + H) + (H * I + I) + (I * H + H) + 4 * H;
  return emb + f.numLayers * layer + (H * H + H);
}

function attentionParams(f: ModelFacts): number {
  const H = f.hiddenSize;
  const m = f.mla;
  if (m !== null) {
    const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
    const q =
      m.qLoraRank !== null ? H * m.qLoraRank + m.qLoraRank + m.qLoraRank * f.numHeads * qk : H * f.numHeads * qk;
    return (
      q +
      H * (m.kvLoraRank + m.qkRopeHeadDim) +
      m.kvLoraRank +
      m.kvLoraRank * f.numHeads * (m.qkNopeHeadDim + m.vHeadDim) +
      f.numHeads * m.vHeadDim * H
    );
  }
  const qDim = f.numHeads * f.headDim;
  const kvDim = f.numKvHeads * f.headDim;
  let n = H * qDim + 2 * H * kvDim + qDim * H;
  if (f.modelType === 'qwen2') n += qDim + 2 * kvDim;
  if (f.modelType.startsWith('qwen3') || f.modelType.startsWith('gemma3')) n += 2 * f.headDim;
  if (f.modelType === 'gpt_oss') n += qDim + 2 * kvDim + H + f.numHeads;
  return n;
}

function mlpParams(f: ModelFacts, layer: number): number {
  const H = f.hiddenSize;
  const moe = f.moe;
  if (moe === null || layer < moe.denseLayers) return 3 * H * f.intermediateSize;
  const E = moe.numExperts;
  const I = moe.expertIntermediateSize;
  if (f.modelType === 'gpt_oss') return E * (H * 2 * I + 2 * I + I * H + H) + H * E + E;
  const router = H * E + (f.modelType.startsWith('deepseek') ? E : 0);
  return E * 3 * H * I + moe.sharedExperts * 3 * H * I + router;
}

/** Total parameters (MoE: all experts; DeepSeek: without the MTP layer). */
export function paramCount(f: ModelFacts): number {
  if (isBert(f)) return bertParams(f);
  const H = f.hiddenSize;
  const norms = f.modelType.startsWith('gemma') ? 4 * H : 2 * H;
  let n = embeddingParams(f) + H;
  for (let l = 0; l < f.numLayers; l += 1) n += attentionParams(f) + mlpParams(f, l) + norms;
  return n;
}

/** Expert weight matrices (what MXFP4 gpt-oss checkpoints store in 4.25 bits; biases stay bf16), 0 for dense models. */
export function expertParams(f: ModelFacts): number {
  const moe = f.moe;
  if (moe === null) return 0;
  const H = f.hiddenSize;
  const I = moe.expertIntermediateSize;
  const perLayer = f.modelType === 'gpt_oss' ? moe.numExperts * (H * 2 * I + I * H) : moe.numExperts * 3 * H * I;
  return perLayer * (f.numLayers - moe.denseLayers);
}
