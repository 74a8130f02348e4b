/**
 * Pre-flight over fetched facts (pure): runs every check, builds the memory table, disk needs and
 * the rough build-time estimate, and lists what was not checked and why. Never throws.
 */
import { checkArchitecture } from './check-architecture.js';
import { checkContext, checkFormatDims, modelMaxSeqLen } from './check-context.js';
import { checkLora, type AdapterFacts } from './check-lora.js';
import { checkMemory } from './check-memory.js';
import { checkParallelism } from './check-parallelism.js';
import { BUILD_TIME_LABEL, buildTimeEstimate, diskNeeds } from './estimates.js';
import { err, warn, type Finding } from './finding.js';
import { GIB, bf16WeightBytes, calibrationGpusNeeded, memoryTable } from './memory-model.js';
import { paramCount } from './param-count.js';
import type { PreflightSettings } from './settings.js';
import type {
  CheckpointFacts,
  FactsProblem,
  FactsResult,
  ModelSummary,
  NotChecked,
  PreflightSection,
} from './types.js';

export interface PreflightInput {
  readonly settings: PreflightSettings;
  /** null: nothing was fetched (offline `trt-plan`). */
  readonly checkpoint: FactsResult<CheckpointFacts> | null;
  readonly adapters: readonly { readonly name: string; readonly result: FactsResult<AdapterFacts> }[];
}

export interface PreflightResult {
  readonly section: PreflightSection;
  readonly findings: readonly Finding[];
}

const REPO = 'trt_llm.build.checkpoint_repository';

function problemFinding(p: FactsProblem, path: string, what: string, secret: string | null): Finding | null {
  if (p.kind === 'denied') {
    const fix =
      secret !== null
        ? `accept the model's license on the hub with the account whose token the service holds as secret ${secret}, or point ${path} at a copy you can read`
        : 'declare the token secret (secrets: {hf_access_token: null}) and give the service the token of an account that accepted the license';
    return err(
      'PREFLIGHT_CHECKPOINT_ACCESS_DENIED',
      path,
      `${what} cannot be read with the credentials the build would use (${p.message}): ${fix}`,
    );
  }
  if (p.kind === 'missing')
    return err(
      'PREFLIGHT_CHECKPOINT_NOT_FOUND',
      path,
      `${what} was not found (${p.message}): check the repo and revision`,
    );
  if (p.kind === 'invalid')
    return warn(
      'PREFLIGHT_CHECKPOINT_UNREADABLE',
      path,
      `${what}: ${p.message}; the checkpoint checks were skipped (the convert step needs a Hugging Face-format checkpoint with a complete config.json)`,
    );
  if (p.kind === 'unavailable')
    return warn(
      'PREFLIGHT_NOT_CHECKED',
      path,
      `${what} could not be read now (${p.message}); the checkpoint checks were skipped`,
    );
  return null;
}

function summary(c: CheckpointFacts): ModelSummary {
  const f = c.model;
  return {
    source: c.source,
    repo: c.repo,
    revision: c.resolvedRevision,
    architecture: f.architecture,
    parameters: paramCount(f),
    layers: f.numLayers,
    hiddenSize: f.hiddenSize,
    attentionHeads: f.numHeads,
    kvHeads: f.numKvHeads,
    headDim: f.headDim,
    vocabSize: f.vocabSize,
    maxPositionEmbeddings: f.maxPositionEmbeddings,
    ropeScaling: f.ropeScaling === null ? null : `${f.ropeScaling.type} ×${f.ropeScaling.factor}`,
    experts: f.moe?.numExperts ?? null,
    attention: f.mla !== null ? 'MLA' : f.numKvHeads < f.numHeads ? 'GQA' : 'MHA',
    torchDtype: f.torchDtype,
    preQuantized: f.preQuantized,
    checkpointBytes: c.checkpointBytes,
  };
}

const NOT_PER_LAYER: NotChecked = {
  what: 'sliding-window KV savings',
  why: 'the memory table treats every layer as full attention (conservative)',
};
const WORKER_DISK: NotChecked = {
  what: 'worker free disk',
  why: 'checked by the worker before it fetches (disk.totalBytes)',
};

/** Runs pre-flight; the section is always filled as far as the facts go. */
export function runPreflight(input: PreflightInput): PreflightResult {
  const s = input.settings;
  const findings: Finding[] = [];
  const notChecked: NotChecked[] = [];
  const empty = {
    checked: false,
    model: null,
    memory: null,
    calibration: null,
    disk: null,
    buildTimeEstimate: null,
    adapters: [],
  } as const;
  if (input.checkpoint === null) {
    notChecked.push({
      what: 'checkpoint facts (architecture, heads, context length, memory, disk, LoRA adapters)',
      why: 'offline: config.json was not read; run trt-plan --online or POST /v1/plans',
    });
    return { section: { ...empty, notChecked }, findings };
  }
  const adapterFacts: AdapterFacts[] = [];
  for (const a of input.adapters) {
    if (a.result.ok) adapterFacts.push(a.result.value);
    else {
      const f = problemFinding(
        a.result.problem,
        `trt_llm.build.lora_adapters.${a.name}`,
        `LoRA adapter ${a.name}`,
        s.adapters.find((i) => i.name === a.name)?.secretName ?? null,
      );
      if (f !== null) findings.push(f);
      notChecked.push({ what: `LoRA adapter ${a.name}`, why: a.result.problem.message });
    }
  }
  if (!input.checkpoint.ok) {
    const p = input.checkpoint.problem;
    const f = problemFinding(
      p,
      `${REPO}.repo`,
      `checkpoint ${s.checkpoint?.repo ?? ''}`,
      s.checkpoint?.secretName ?? null,
    );
    if (f !== null) findings.push(f);
    notChecked.push({ what: 'checkpoint facts', why: p.message });
    return { section: { ...empty, notChecked }, findings };
  }
  const c = input.checkpoint.value;
  const f = c.model;
  findings.push(
    ...checkArchitecture(f, s),
    ...checkParallelism(f, s),
    ...checkContext(f, s),
    ...checkFormatDims(f, s),
    ...checkLora(adapterFacts, s),
  );
  const maxSeqLen = s.maxSeqLen ?? modelMaxSeqLen(f, s.stack) ?? 2048;
  const table = (tp: number) =>
    memoryTable(f, {
      format: s.weightFormat,
      kvFp8: s.kvFp8,
      tp,
      pp: s.pp,
      gpuMemoryBytes: s.gpu.memoryGiB * GIB,
      maxBatchSize: s.maxBatchSize,
      maxNumTokens: s.maxNumTokens,
      maxSeqLen,
      freeGpuMemFraction: s.freeGpuMemFraction,
    });
  findings.push(...checkMemory(f, s, maxSeqLen, table));
  const disk = diskNeeds(f, s, c.checkpointBytes);
  const steps = buildTimeEstimate(f, s, disk);
  notChecked.push(NOT_PER_LAYER, WORKER_DISK);
  if (f.multimodal)
    notChecked.push({ what: 'vision tower memory', why: 'the parameter count covers the text model only' });
  if (s.lora !== null)
    notChecked.push({
      what: 'LoRA adapter tensor shapes',
      why: 'adapter weights are not downloaded; rank, modules and base model are checked',
    });
  return {
    section: {
      checked: true,
      model: summary(c),
      memory: {
        gpu: s.gpu.type,
        tp: s.tp,
        pp: s.pp,
        weightFormat: s.weightFormat,
        kvCacheDtype: s.kvFp8 ? 'fp8' : 'bf16',
        maxSeqLen,
        maxBatchSize: s.maxBatchSize,
        freeGpuMemFraction: s.freeGpuMemFraction,
        perGpu: table(s.tp),
      },
      calibration: s.quantizes
        ? {
            builderGpus: s.builderGpus,
            builderGpusNeeded: f.preQuantized === null ? calibrationGpusNeeded(f, s.gpu.memoryGiB * GIB) : 1,
            bf16WeightsBytes: bf16WeightBytes(f),
          }
        : null,
      disk,
      buildTimeEstimate: { label: BUILD_TIME_LABEL, steps, totalSeconds: steps.reduce((a, x) => a + x.seconds, 0) },
      adapters: adapterFacts.map((a) => ({
        name: a.name,
        rank: a.rank,
        targetModules: a.targetModules,
        baseModel: a.baseModel,
      })),
      notChecked,
    },
    findings,
  };
}
