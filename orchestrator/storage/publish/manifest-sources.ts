/** Maps what the fetch step resolved to the manifest's `sources` entries (pure). */
import type { FetchedItem } from '../ports.js';
import type { ManifestSource } from './manifest.js';

/** One manifest source per fetched item: role, repo, requested and resolved revision. */
export function manifestSources(fetched: readonly FetchedItem[]): ManifestSource[] {
  return fetched.map(({ item, resolved }) => ({
    role: item.role,
    name: item.name,
    source: item.source,
    repo: resolved.repo,
    requestedRevision: resolved.requestedRevision,
    resolvedRevision: resolved.resolvedRevision,
  }));
}
