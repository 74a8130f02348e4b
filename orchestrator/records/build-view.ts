/**
 * What the service reports about a build (`GET /v1/builds/:id`): plain JSON data, with the zod
 * schemas every value read back from Redis is checked against (a record that does not parse is a
 * `RECORD_CORRUPT` error, never a cast).
 */
import { z } from 'zod';
import { BuildStatus as BuildStatusSchema, StepStatus as StepStatusSchema } from '../build/state-machine.js';
import type { BuildStatus, StepStatus } from '../build/state-machine.js';
import type { GpuType } from '../gpu/catalog.js';
import type { StepKind } from '../plan/types.js';

export type { BuildStatus, StepStatus };
/** Build and step statuses come from the one build state machine (build/state-machine.ts). */
export const BUILD_STATUSES = BuildStatusSchema.options;
export const STEP_STATUSES = StepStatusSchema.options;

export interface StepView {
  readonly id: string;
  readonly kind: StepKind;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** 0..1 where the tool prints progress, else null. */
  readonly progress: number | null;
}

/** Where a published build lives. */
export interface ArtifactsView {
  readonly store: string;
  readonly prefix: string;
  readonly manifest: string;
}

/** A stored failure: stable code, message and advice for people. Never an Error object. */
export interface BuildError {
  readonly code: string;
  readonly message: string;
  readonly advice: string | null;
}

export interface BuildView {
  readonly id: string;
  readonly status: BuildStatus;
  readonly planHash: string;
  readonly gpuType: GpuType;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly cancelRequested: boolean;
  /** Times the build job was started by a worker (retries and stall recoveries included). */
  readonly attempts: number;
  readonly steps: readonly StepView[];
  readonly artifacts: ArtifactsView | null;
  readonly error: BuildError | null;
  /** Why a queued build is not running yet (e.g. `waiting for 8×H200: no registered worker has that many`), else null. */
  readonly waitReason: string | null;
}

/** One stored log line. `seq` grows by one per line of the build, across attempts. */
export interface LogEntry {
  readonly seq: number;
  readonly ts: number;
  readonly step: string;
  readonly stream: 'stdout' | 'stderr' | 'system';
  readonly line: string;
}

const iso = z.string().nullable();
/** A step record as stored (one element of the record's `steps` JSON array). */
export const StepViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['fetch', 'convert', 'quantize', 'engine_build', 'publish']),
  status: StepStatusSchema,
  attempts: z.number().int().min(0),
  startedAt: iso,
  finishedAt: iso,
  progress: z.number().min(0).max(1).nullable(),
});
export const ArtifactsSchema = z.object({ store: z.string(), prefix: z.string(), manifest: z.string() });
export const BuildErrorSchema = z.object({ code: z.string(), message: z.string(), advice: z.string().nullable() });
export const LogEntrySchema = z.object({
  seq: z.number().int(),
  ts: z.number(),
  step: z.string(),
  stream: z.enum(['stdout', 'stderr', 'system']),
  line: z.string(),
});

/** A value read from Redis did not match its schema (a bug or a foreign writer). */
export class RecordCorruptError extends Error {
  readonly code = 'RECORD_CORRUPT';
  constructor(what: string) {
    super(`the stored ${what} does not match its schema`);
    this.name = 'RecordCorruptError';
  }
}

/** Parses a JSON value stored in Redis against `schema`; throws RecordCorruptError on mismatch. */
export function parseStored<T>(schema: z.ZodType<T>, raw: string | null | undefined, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? 'null');
  } catch {
    throw new RecordCorruptError(what);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new RecordCorruptError(what);
  return r.data;
}
