/** Builds an artifact store from its URL: `s3://bucket/prefix` or `file:///path`. */
import { LocalArtifactStore } from './local-store.js';
import type { StreamingArtifactStore } from './readable-store.js';
import { S3ArtifactStore, type S3StoreOptions } from './s3-store.js';
import { parseStoreUrl } from './store-url.js';

export interface ArtifactStoreOptions {
  /** Used for `s3://` URLs: endpoint, region, path style, credentials, retries, part size. */
  readonly s3?: S3StoreOptions;
}

/** Parses `url` and constructs the matching adapter (no I/O until the first call). */
export function artifactStoreFromUrl(url: string, options: ArtifactStoreOptions = {}): StreamingArtifactStore {
  const loc = parseStoreUrl(url);
  if (loc.kind === 's3') return new S3ArtifactStore(loc.bucket, loc.prefix, options.s3);
  return new LocalArtifactStore(loc.root);
}
