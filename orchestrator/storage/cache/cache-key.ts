/** Content address of a cached checkpoint: (source, repo, repo type, resolved identity, filter). */
import { createHash } from 'node:crypto';
import type { ResolvedSource } from '../ports.js';
import type { PathFilter } from '../util/glob.js';

export interface CacheKeyParts {
  readonly source: ResolvedSource['source'];
  readonly repo: string;
  readonly repoType: 'model' | 'dataset';
  readonly resolvedRevision: string;
  readonly filter: PathFilter;
}

/** A 64-hex sha256 over the canonical JSON of the parts (patterns sorted, so order does not matter). */
export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    'v1',
    parts.source,
    parts.repo,
    parts.repoType,
    parts.resolvedRevision,
    [...(parts.filter.allow ?? [])].sort(),
    [...(parts.filter.ignore ?? [])].sort(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
