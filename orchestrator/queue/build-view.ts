/**
 * What the service reports about a build (`GET /v1/builds/:id`): plain JSON data.
 */
import { BuildStatus as BuildStatusSchema, StepStatus as StepStatusSchema, isTerminal } from '../build/state-machine.js';
import type { BuildStatus, StepStatus } from '../build/state-machine.js';
import type { GpuType } from '../gpu/catalog.js';
import type { StepKind } from '../plan/types.js';

export type { BuildStatus, StepStatus };
/** Build and step statuses come from the one build state machine (build/state-machine.ts). */
export const BUILD_STATUSES = BuildStatusSchema.options;
export const STEP_STATUSES = StepStatusSchema.options;

/** Is this build status final (never changes again)? */
export function isTerminalStatus(status: BuildStatus): boolean {
  return isTerminal(status);
}

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
}

/** One stored log line. `seq` grows by one per line of the build, across attempts. */
export interface LogEntry {
  readonly seq: number;
  readonly ts: number;
  readonly step: string;
  readonly stream: 'stdout' | 'stderr' | 'system';
  readonly line: string;
}
