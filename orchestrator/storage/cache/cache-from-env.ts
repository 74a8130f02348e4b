/**
 * The checkpoint cache configured from the environment (for composition roots):
 * `TRT_CHECKPOINT_CACHE_DIR` (unset or empty: no cache) and `TRT_CHECKPOINT_CACHE_MAX_GIB`
 * (size budget, default 500).
 */
import { CheckpointCache } from './checkpoint-cache.js';

/** A cache when `TRT_CHECKPOINT_CACHE_DIR` is set, else undefined. */
export function checkpointCacheFromEnv(env: Readonly<Record<string, string | undefined>>): CheckpointCache | undefined {
  const dir = env['TRT_CHECKPOINT_CACHE_DIR']?.trim();
  if (dir === undefined || dir === '') return undefined;
  const gib = Number(env['TRT_CHECKPOINT_CACHE_MAX_GIB'] ?? '500');
  if (!Number.isFinite(gib) || gib <= 0)
    throw new Error(
      `TRT_CHECKPOINT_CACHE_MAX_GIB must be a positive number (got ${JSON.stringify(env['TRT_CHECKPOINT_CACHE_MAX_GIB'])})`,
    );
  return new CheckpointCache({ dir, maxBytes: Math.floor(gib * 1024 ** 3) });
}
