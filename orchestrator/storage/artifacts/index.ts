/** Artifact stores: S3 and local-directory adapters of the `ArtifactStore` port, chosen by URL. */
export { ArtifactStoreError, isArtifactStoreError, type ArtifactStoreErrorCode } from './errors.js';
export { LocalArtifactStore } from './local-store.js';
export { assertObjectKey, objectKeyProblem, MAX_KEY_BYTES } from './object-key.js';
export { canStream, type StreamingArtifactStore } from './readable-store.js';
export { S3ArtifactStore, MIN_PART_SIZE, type S3Credentials, type S3StoreOptions } from './s3-store.js';
export { artifactStoreFromUrl, type ArtifactStoreOptions } from './store-from-url.js';
export { formatStoreUrl, parseStoreUrl, type StoreLocation } from './store-url.js';
