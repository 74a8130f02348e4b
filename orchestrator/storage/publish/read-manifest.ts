/** Reading a build's manifest: the test of whether a build is published. */
import type { ArtifactStore } from '../ports.js';
import { PublishError } from './errors.js';
import { BuildManifest, manifestKey } from './manifest.js';

/** The build's manifest, or null when it has none (not published). Throws `MANIFEST_INVALID` on a corrupt one. */
export async function readManifest(store: ArtifactStore, planHash: string): Promise<BuildManifest | null> {
  const key = manifestKey(planHash);
  const bytes = await store.getBytes(key);
  if (bytes === null) return null;
  return parseManifestBytes(bytes, key, planHash);
}

/** True when the build's manifest exists (a build counts as published only then). */
export async function isPublished(store: ArtifactStore, planHash: string): Promise<boolean> {
  return (await store.head(manifestKey(planHash))) !== null;
}

/** Parses and validates manifest bytes; the manifest must be for `planHash`. */
export function parseManifestBytes(bytes: Uint8Array, key: string, planHash: string): BuildManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new PublishError('MANIFEST_INVALID', `${key} is not valid JSON: ${(err as Error).message}`, key);
  }
  const parsed = BuildManifest.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PublishError('MANIFEST_INVALID', `${key} does not match the manifest schema: ${issues.join('; ')}`, key);
  }
  if (parsed.data.planHash !== planHash) {
    throw new PublishError('MANIFEST_INVALID', `${key} is for plan ${parsed.data.planHash}, not ${planHash}`, key);
  }
  return parsed.data;
}
