/**
 * An optional extension of the `ArtifactStore` port: streaming reads, so that verifying a
 * multi-GB engine does not load it into memory. Both adapters here implement it; code that gets a
 * plain `ArtifactStore` checks with `canStream` and falls back to `getBytes`.
 */
import type { Readable } from 'node:stream';
import type { ArtifactStore } from '../ports.js';

export interface StreamingArtifactStore extends ArtifactStore {
  /** Returns null when the key does not exist. The caller must consume or destroy the stream. */
  getStream(key: string): Promise<Readable | null>;
}

/** True when `store` also offers streaming reads. */
export function canStream(store: ArtifactStore): store is StreamingArtifactStore {
  return typeof (store as Partial<StreamingArtifactStore>).getStream === 'function';
}
