/**
 * The one place the CLI turns config text into a verdict and a plan (the planner's facade, which
 * validates first), plus the text rendering of the pre-flight section. To run the validator alone,
 * return `validateConfigText(text)` with `plan: null`.
 */
import { planConfigText } from '../plan/plan-config.js';
import type { PreflightSection } from '../preflight/types.js';
import type { PlanOutput } from './render-diagnostics.js';

/** Validates and plans a config text. Pure; never throws. */
export function planText(text: string): PlanOutput {
  return planConfigText(text);
}

const GIB = 1024 ** 3;
const gib = (b: number): string => `${(b / GIB).toFixed(1)} GiB`;
const gb = (b: number): string => `${(b / 1e9).toFixed(1)} GB`;
const int = (n: number): string => n.toLocaleString('en-US');

function duration(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function clean(text: string): string {
  let out = '';
  for (const ch of text) out += ch < ' ' || ch === '\u007f' ? ' ' : ch;
  return out;
}

/** The pre-flight section as text: model facts, the per-GPU memory table, disk, rough build time, what was not checked. */
export function renderPreflightText(p: PreflightSection): string {
  const lines: string[] = [];
  const m = p.model;
  if (!p.checked || m === null) {
    lines.push('pre-flight: checkpoint not checked');
  } else {
    lines.push('pre-flight (checkpoint facts, TensorRT-LLM 1.2 rules):');
    const rope = m.ropeScaling !== null ? ` (${m.ropeScaling})` : '';
    lines.push(
      `  model        ${clean(m.repo)} @ ${clean(m.revision.slice(0, 12))}: ${clean(m.architecture)}, ${(m.parameters / 1e9).toFixed(2)}B parameters${m.experts !== null ? ` (${m.experts} experts)` : ''}`,
    );
    lines.push(
      `               ${m.layers} layers, hidden ${m.hiddenSize}, ${m.attentionHeads} heads / ${m.kvHeads} KV (${m.attention}), head_dim ${m.headDim}, vocab ${m.vocabSize}`,
    );
    lines.push(
      `               max_position_embeddings ${m.maxPositionEmbeddings ?? 'unknown'}${rope}, dtype ${clean(m.torchDtype ?? 'unknown')}${m.preQuantized !== null ? `, pre-quantized ${clean(m.preQuantized)}` : ''}${m.checkpointBytes !== null ? `, checkpoint ${gb(m.checkpointBytes)}` : ''}`,
    );
  }
  const mem = p.memory;
  if (mem !== null) {
    const t = mem.perGpu;
    lines.push(
      `  memory per GPU (${mem.gpu} ${gib(t.gpuMemoryBytes)}, TP ${mem.tp}, PP ${mem.pp}, ${mem.weightFormat} weights, ${mem.kvCacheDtype} KV cache, max_seq_len ${mem.maxSeqLen}, max_batch_size ${mem.maxBatchSize}):`,
    );
    lines.push(`    weights            ${gib(t.weightsBytes)}${t.weightsFit ? '' : '  DOES NOT FIT'}`);
    lines.push(`    activations        ${gib(t.activationBytes)} (rough)`);
    lines.push(`    runtime overhead   ${gib(t.overheadBytes)}`);
    lines.push(
      `    ${`KV cache (x${mem.freeGpuMemFraction})`.padEnd(19)}${gib(t.kvCacheBytes)} = ${int(t.kvCapacityTokens)} tokens at ${int(t.kvBytesPerToken)} B/token`,
    );
    lines.push(
      `    fits               ${int(t.sequencesAtMaxSeqLen)} sequences of ${mem.maxSeqLen}, or ${mem.maxBatchSize} of ${int(t.seqLenAtMaxBatch)} (asked: ${mem.maxBatchSize} x ${mem.maxSeqLen})`,
    );
  }
  if (p.calibration !== null)
    lines.push(
      `  calibration  quantize.py needs ${p.calibration.builderGpusNeeded} builder GPU(s) for ${gb(p.calibration.bf16WeightsBytes)} of BF16 weights (planned: ${p.calibration.builderGpus})`,
    );
  if (p.disk !== null)
    lines.push(
      `  disk         checkpoint ${gb(p.disk.checkpointBytes)} + converted ${gb(p.disk.convertedBytes)} + engine ${gb(p.disk.engineBytes)} = ${gb(p.disk.totalBytes)}`,
    );
  const bt = p.buildTimeEstimate;
  if (bt !== null)
    lines.push(
      `  build time   ${bt.steps.map((s) => `${s.kind} ${duration(s.seconds)}`).join(', ')} (total ${duration(bt.totalSeconds)}; ${bt.label})`,
    );
  for (const a of p.adapters)
    lines.push(
      `  adapter      ${clean(a.name)}: rank ${a.rank}, modules ${clean(a.targetModules.join(', '))}${a.baseModel !== null ? `, base ${clean(a.baseModel)}` : ''}`,
    );
  p.notChecked.forEach((n, i) =>
    lines.push(`  ${i === 0 ? 'not checked ' : '            '} ${clean(n.what)}: ${clean(n.why)}`),
  );
  return `${lines.join('\n')}\n`;
}
