/** Publishing builds to an artifact store, with a manifest written last, and verifying them. */
export { isPublishError, PublishError, type PublishErrorCode } from './errors.js';
export { BuildManifest, buildPrefix, ManifestFile, manifestKey, ManifestSource, MANIFEST_FILE } from './manifest.js';
export { manifestSources } from './manifest-sources.js';
export {
  publishBuild,
  type PublishBuildInput,
  type PublishMeta,
  type PublishProgress,
  type PublishResult,
} from './publish-build.js';
export { isPublished, readManifest } from './read-manifest.js';
export { redactConfig, REDACTED } from './redact-config.js';
export { verifyPublished, type VerifyOptions, type VerifyProblem, type VerifyResult } from './verify-published.js';
