/**
 * The pre-flight section of a plan outcome (plan JSON, `trt-plan --json`, API responses) and the
 * checkpoint facts it is computed from. Pure data; pre-flight never changes the plan or its hash.
 */
import type { Diagnostic } from '../config/diagnostic.js';
import type { GpuType } from '../gpu/catalog.js';
import type { BuildPlan, CheckpointSourceKind } from '../plan/types.js';
import type { AdapterFacts } from './check-lora.js';
import type { MemoryTable } from './memory-model.js';
import type { ModelFacts } from './model-facts.js';
import type { WeightFormat } from './support-table.js';

/** What was read from one checkpoint (config.json + sizes), keyed by its resolved revision. */
export interface CheckpointFacts {
  readonly source: CheckpointSourceKind;
  readonly repo: string;
  readonly requestedRevision: string | null;
  /** Immutable identity (HF commit sha, ETag digest). */
  readonly resolvedRevision: string;
  readonly model: ModelFacts;
  /** Weight bytes on disk (safetensors index `total_size`, else the sum of weight files), or null. */
  readonly checkpointBytes: number | null;
}

/** Why something could not be read: `denied` and `missing` fail the plan; `invalid`, `unavailable` and `unsupported` only skip the checks. */
export interface FactsProblem {
  readonly kind: 'denied' | 'missing' | 'invalid' | 'unavailable' | 'unsupported';
  readonly message: string;
}

/** A fetch result for one item. */
export type FactsResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: FactsProblem };

/** Something pre-flight did not check, and why. */
export interface NotChecked {
  readonly what: string;
  readonly why: string;
}

/** The model facts shown to people. */
export interface ModelSummary {
  readonly source: CheckpointSourceKind;
  readonly repo: string;
  readonly revision: string;
  readonly architecture: string;
  readonly parameters: number;
  readonly layers: number;
  readonly hiddenSize: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly maxPositionEmbeddings: number | null;
  readonly ropeScaling: string | null;
  readonly experts: number | null;
  readonly attention: 'MHA' | 'GQA' | 'MLA';
  readonly torchDtype: string | null;
  readonly preQuantized: string | null;
  readonly checkpointBytes: number | null;
}

export interface MemorySection {
  readonly gpu: GpuType;
  readonly tp: number;
  readonly pp: number;
  readonly weightFormat: WeightFormat;
  readonly kvCacheDtype: 'fp8' | 'bf16';
  /** The sequence length the table assumes (configured, else the model's). */
  readonly maxSeqLen: number;
  readonly maxBatchSize: number;
  readonly freeGpuMemFraction: number;
  readonly perGpu: MemoryTable;
}

export interface DiskSection {
  readonly checkpointBytes: number;
  readonly convertedBytes: number;
  readonly engineBytes: number;
  /** What a worker needs free before it fetches. */
  readonly totalBytes: number;
}

export interface BuildTimeStep {
  readonly kind: 'fetch' | 'convert' | 'quantize' | 'engine_build';
  readonly seconds: number;
}

export interface PreflightSection {
  /** Whether checkpoint facts were read (false offline or when the source could not be read). */
  readonly checked: boolean;
  readonly model: ModelSummary | null;
  readonly memory: MemorySection | null;
  readonly calibration: {
    readonly builderGpus: number;
    readonly builderGpusNeeded: number;
    readonly bf16WeightsBytes: number;
  } | null;
  readonly disk: DiskSection | null;
  /** Rough, labelled as such: throughput assumptions in preflight/README.md. */
  readonly buildTimeEstimate: {
    readonly label: string;
    readonly steps: readonly BuildTimeStep[];
    readonly totalSeconds: number;
  } | null;
  readonly adapters: readonly Pick<AdapterFacts, 'name' | 'rank' | 'targetModules' | 'baseModel'>[];
  readonly notChecked: readonly NotChecked[];
}

/** Exactly the `trt-plan --json` object: diagnostics, the plan, and the pre-flight section when it ran (the queue's `PlanOutcome`). */
export interface PreflightOutcome {
  readonly valid: boolean;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  readonly plan: BuildPlan | null;
  readonly preflight?: PreflightSection;
}
