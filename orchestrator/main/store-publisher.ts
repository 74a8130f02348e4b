/**
 * The `published` half of the Publisher port over an artifact store: a plan counts as published
 * when `builds/<hex>/manifest.json` exists (the manifest is written last).
 */
import type { ArtifactStore } from '../storage/ports.js';
import type { ArtifactsView } from '../queue/build-view.js';

/** Where a plan's build lives in `store`. */
export function artifactsFor(store: ArtifactStore, planHash: string): ArtifactsView {
  const prefix = `builds/${planHash.replace(/^sha256:/, '')}/`;
  return { store: store.url, prefix, manifest: `${prefix}manifest.json` };
}

/** Resolves the plan's artifacts when its manifest exists, else null. */
export async function publishedIn(store: ArtifactStore, planHash: string): Promise<ArtifactsView | null> {
  const view = artifactsFor(store, planHash);
  return (await store.head(view.manifest)) ? view : null;
}
