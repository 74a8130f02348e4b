/** A source kind this orchestrator cannot fetch (BASETEN_TRAINING has no public API). */
import type { CheckpointSourceKind } from '../../plan/types.js';
import { SourceError } from './errors.js';
import type { CheckpointSource } from './port.js';

/** An adapter whose every call fails with SOURCE_UNSUPPORTED and the given reason. */
export function unsupportedSource(kind: CheckpointSourceKind, reason: string): CheckpointSource {
  const fail = (): Promise<never> =>
    Promise.reject(new SourceError('SOURCE_UNSUPPORTED', `${kind} checkpoints cannot be fetched: ${reason}`));
  return { kind, resolve: fail, download: fail };
}
