/**
 * The `preflight` section as a zod schema, for the OpenAPI document (api/api-schemas.ts). Type
 * checks at the bottom hold it equal to `PreflightSection` in both directions.
 */
import { z } from 'zod';
import { GPU_TYPES } from '../gpu/catalog.js';
import type { PreflightSection } from './types.js';

const bytes = z.number().min(0);
const int = z.number().int().min(0);

const MemoryTable = z.object({
  gpuMemoryBytes: bytes,
  weightsBytes: bytes,
  activationBytes: bytes,
  overheadBytes: bytes,
  kvCacheBytes: bytes,
  kvBytesPerToken: int,
  kvCapacityTokens: int,
  requestedTokens: int,
  weightsFit: z.boolean(),
  sequencesAtMaxSeqLen: int,
  seqLenAtMaxBatch: int,
});

export const PreflightSchema = z
  .object({
    checked: z
      .boolean()
      .describe('Whether the checkpoint facts were read (false offline or when the source could not be read)'),
    model: z
      .object({
        source: z.enum(['HF', 'S3', 'GCS', 'AZURE', 'REMOTE_URL', 'BASETEN_TRAINING']),
        repo: z.string(),
        revision: z.string().describe('Resolved revision (HF commit sha, ETag digest)'),
        architecture: z.string(),
        parameters: int,
        layers: int,
        hiddenSize: int,
        attentionHeads: int,
        kvHeads: int,
        headDim: int,
        vocabSize: int,
        maxPositionEmbeddings: int.nullable(),
        ropeScaling: z.string().nullable(),
        experts: int.nullable(),
        attention: z.enum(['MHA', 'GQA', 'MLA']),
        torchDtype: z.string().nullable(),
        preQuantized: z.string().nullable(),
        checkpointBytes: bytes.nullable(),
      })
      .nullable(),
    memory: z
      .object({
        gpu: z.enum(GPU_TYPES),
        tp: int,
        pp: int,
        weightFormat: z.enum(['bf16', 'fp8', 'nvfp4']),
        kvCacheDtype: z.enum(['fp8', 'bf16']),
        maxSeqLen: int,
        maxBatchSize: int,
        freeGpuMemFraction: z.number(),
        perGpu: MemoryTable.describe('One GPU: bytes, and tokens for the KV capacity'),
      })
      .nullable(),
    calibration: z.object({ builderGpus: int, builderGpusNeeded: int, bf16WeightsBytes: bytes }).nullable(),
    disk: z.object({ checkpointBytes: bytes, convertedBytes: bytes, engineBytes: bytes, totalBytes: bytes }).nullable(),
    buildTimeEstimate: z
      .object({
        label: z.string(),
        steps: z.array(z.object({ kind: z.enum(['fetch', 'convert', 'quantize', 'engine_build']), seconds: int })),
        totalSeconds: int,
      })
      .nullable()
      .describe('Rough, labelled as such'),
    adapters: z.array(
      z.object({ name: z.string(), rank: int, targetModules: z.array(z.string()), baseModel: z.string().nullable() }),
    ),
    notChecked: z
      .array(z.object({ what: z.string(), why: z.string() }))
      .describe('What pre-flight did not check, and why'),
  })
  .meta({
    id: 'Preflight',
    description:
      'Checkpoint facts, per-GPU memory table, disk, rough build time and what was not checked; never changes the plan hash',
  });

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
/** Compile-time check: the schema's type is `PreflightSection` (readonly aside). */
export const PREFLIGHT_SCHEMA_MATCHES: Equal<z.infer<typeof PreflightSchema>, Mutable<PreflightSection>> = true;
