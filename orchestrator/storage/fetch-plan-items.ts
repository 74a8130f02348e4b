/**
 * The worker's fetch step: for each FetchItem, resolve it to an immutable identity, then download
 * it (through the local checkpoint cache when one is given) into the item's `dest` under the
 * build workspace. Items run one after another; files within an item run in parallel.
 * Every failure is a SourceError with a stable code; secret values are scrubbed from messages.
 */
import { join } from 'node:path';
import type { FetchItem } from '../plan/types.js';
import { cacheKey } from './cache/cache-key.js';
import type { CheckpointCache } from './cache/checkpoint-cache.js';
import type { FetchContext, FetchedItem, ResolvedSource } from './ports.js';
import { SourceError, scrubSecrets, toSourceError } from './sources/errors.js';
import type { DownloadOptions, DownloadResult, SourceRegistry } from './sources/port.js';
import { sourcesFromEnv } from './sources/sources-from-env.js';
import type { PathFilter } from './util/glob.js';
import { normalizeRelPath } from './util/safe-path.js';

/** Default allow/ignore patterns per role: checkpoints skip Meta's duplicate `original/` weights and git metadata. */
export const DEFAULT_FILTERS: Readonly<Record<FetchItem['role'], PathFilter>> = {
  checkpoint: { ignore: ['.gitattributes', 'original/*'] },
  lora_adapter: { ignore: ['.gitattributes'] },
  calibration_dataset: { ignore: ['.gitattributes'] },
};

export interface FetchPlanOptions {
  readonly cache?: CheckpointCache;
  /** Source adapters (default: `sourcesFromEnv(process.env)`; composition roots should pass their own). */
  readonly sources?: SourceRegistry;
  readonly filters?: Partial<Readonly<Record<FetchItem['role'], PathFilter>>>;
  /** Files fetched in parallel per item (default 8). */
  readonly concurrency?: number;
}

/** Maps an absolute container path under `mount` to the host workspace directory. */
export function hostPathFor(dest: string, workspaceMount: string, workspaceDir: string): string {
  const mount = workspaceMount.replace(/\/+$/, '');
  if (!dest.startsWith(`${mount}/`)) {
    throw new SourceError(
      'DEST_OUTSIDE_WORKSPACE',
      `fetch destination ${JSON.stringify(dest.slice(0, 200))} is not under ${mount}`,
    );
  }
  const rel = dest.slice(mount.length + 1).replace(/\/+$/, '');
  if (normalizeRelPath(rel) !== rel)
    throw new SourceError(
      'DEST_OUTSIDE_WORKSPACE',
      `fetch destination ${JSON.stringify(dest.slice(0, 200))} is not a clean path under ${mount}`,
    );
  return join(workspaceDir, ...rel.split('/'));
}

const ROLES = new Set(['checkpoint', 'lora_adapter', 'calibration_dataset']);

/**
 * Checks an item's shape (items arrive as JSON from the queue): a precise, non-retryable
 * SOURCE_REPO_INVALID naming the bad field, or SOURCE_UNSUPPORTED for an unknown source kind.
 */
export function checkFetchItem(item: unknown, sources: SourceRegistry): FetchItem {
  const bad = (field: string, want: string): SourceError =>
    new SourceError('SOURCE_REPO_INVALID', `fetch item: ${field} must be ${want}`);
  if (typeof item !== 'object' || item === null) throw bad('the item', 'an object');
  const it = item as Record<string, unknown>;
  const str = (v: unknown, max: number): boolean =>
    typeof v === 'string' && v.length > 0 && v.length <= max && !v.includes('\0');
  if (typeof it['source'] !== 'string' || !Object.hasOwn(sources, it['source'])) {
    throw new SourceError(
      'SOURCE_UNSUPPORTED',
      `fetch item: unknown source ${JSON.stringify(String(it['source']).slice(0, 40))}; expected one of ${Object.keys(sources).join(', ')}`,
    );
  }
  if (typeof it['role'] !== 'string' || !ROLES.has(it['role']))
    throw bad('role', 'checkpoint, lora_adapter or calibration_dataset');
  if (!str(it['repo'], 4096)) throw bad('repo', 'a non-empty string (at most 4096 characters)');
  if (it['revision'] !== null && !str(it['revision'], 256))
    throw bad('revision', 'null or a string (at most 256 characters)');
  if (it['repoType'] !== 'model' && it['repoType'] !== 'dataset') throw bad('repoType', '"model" or "dataset"');
  if (it['secretName'] !== null && !str(it['secretName'], 256)) throw bad('secretName', 'null or a secret name');
  if (it['name'] !== null && !str(it['name'], 256)) throw bad('name', 'null or a string');
  if (!str(it['dest'], 4096)) throw bad('dest', 'an absolute path under the workspace mount');
  return item as FetchItem;
}

function plain(r: ResolvedSource, files: DownloadResult['files']): ResolvedSource {
  return {
    source: r.source,
    repo: r.repo,
    requestedRevision: r.requestedRevision,
    resolvedRevision: r.resolvedRevision,
    files,
  };
}

/** Fetches every item of a plan's fetch step into the workspace; returns what was resolved. */
export async function fetchPlanItems(
  items: readonly FetchItem[],
  ctx: FetchContext & FetchPlanOptions,
): Promise<FetchedItem[]> {
  const sources = ctx.sources ?? sourcesFromEnv(process.env);
  const secretValues = Object.values(ctx.secrets);
  const out: FetchedItem[] = [];
  for (const item of items) {
    const what = `${String(item.role)} ${String(item.source)}`;
    try {
      checkFetchItem(item, sources);
      const dest = hostPathFor(item.dest, ctx.workspaceMount, ctx.workspaceDir);
      const adapter = sources[item.source];
      const resolved = await adapter.resolve(item, { secrets: ctx.secrets, signal: ctx.signal });
      const filter = ctx.filters?.[item.role] ?? DEFAULT_FILTERS[item.role];
      const dl: DownloadOptions = {
        ...filter,
        secrets: ctx.secrets,
        signal: ctx.signal,
        concurrency: ctx.concurrency ?? 8,
        onProgress: (p) => ctx.onProgress?.({ item, ...p }),
      };
      if (ctx.cache === undefined) {
        const res = await adapter.download(resolved, dest, dl);
        out.push({ item, resolved: plain(resolved, res.files), fromCache: false });
        continue;
      }
      const key = cacheKey({
        source: item.source,
        repo: resolved.repo,
        repoType: item.repoType,
        resolvedRevision: resolved.resolvedRevision,
        filter,
      });
      const fill = async (staging: string): Promise<DownloadResult> => adapter.download(resolved, staging, dl);
      const meta = { source: item.source, repo: resolved.repo, resolvedRevision: resolved.resolvedRevision };
      let lookup = await ctx.cache.getOrFill(key, fill, { signal: ctx.signal, meta });
      try {
        await ctx.cache.materialize(lookup.entry, dest);
      } catch (err) {
        // Evicted by another process between lookup and materialize: fill again once.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        lookup = await ctx.cache.getOrFill(key, fill, { signal: ctx.signal, meta });
        await ctx.cache.materialize(lookup.entry, dest);
      }
      const total = lookup.entry.bytes;
      ctx.onProgress?.({
        item,
        bytesDone: total,
        bytesTotal: total,
        filesDone: lookup.entry.files.length,
        filesTotal: lookup.entry.files.length,
      });
      out.push({ item, resolved: plain(resolved, lookup.entry.files), fromCache: lookup.hit });
    } catch (err) {
      const e = toSourceError(err, { signal: ctx.signal, secrets: secretValues, what });
      // Defence in depth: no secret value survives into the message, whatever produced it.
      throw new SourceError(e.code, scrubSecrets(e.message, secretValues), { retryable: e.retryable });
    }
  }
  return out;
}
