/**
 * The checkpoint source port: resolve a FetchItem to an immutable identity and file list, then
 * download (a filtered subset of) those files into a directory. One adapter per source kind.
 */
import type { CheckpointSourceKind, FetchItem } from '../../plan/types.js';
import type { ResolvedSource } from '../ports.js';
import type { PathFilter } from '../util/glob.js';

/** What `resolve` needs besides the item: secrets by name and the abort signal. */
export interface ResolveContext {
  readonly secrets: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

/** Byte/file progress of one `download` call. */
export interface DownloadProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface DownloadOptions extends PathFilter {
  /** Files fetched in parallel (default 8). */
  readonly concurrency?: number;
  readonly onProgress?: (p: DownloadProgress) => void;
  readonly signal: AbortSignal;
  /** Secrets by name; the adapter picks `item.secretName` (the resolved source remembers it). */
  readonly secrets: Readonly<Record<string, string>>;
}

/** What a download wrote: the files under destDir (relative paths), after filtering. */
export interface DownloadResult {
  readonly files: ResolvedSource['files'];
  readonly bytes: number;
}

/** A resolved source plus what the adapter needs to download it again (never secret values). */
export interface ResolvedFetch extends ResolvedSource {
  readonly item: FetchItem;
  /** Per-path MD5 (hex) when the source lists one (Azure Content-MD5). */
  readonly md5ByPath?: Readonly<Record<string, string>>;
}

export interface CheckpointSource {
  readonly kind: CheckpointSourceKind;
  /** Pins `item.repo@item.revision` to an immutable identity and lists its files. */
  resolve(item: FetchItem, ctx: ResolveContext): Promise<ResolvedFetch>;
  /** Downloads the resolved files (after allow/ignore filtering) under `destDir`, verified. */
  download(resolved: ResolvedFetch, destDir: string, opts: DownloadOptions): Promise<DownloadResult>;
}

/** One adapter per source kind. */
export type SourceRegistry = Readonly<Record<CheckpointSourceKind, CheckpointSource>>;

/**
 * The secret value the item names, or null (anonymous access) when it names none or the secret is
 * absent: Truss configs name `hf_access_token` by default even for public repos.
 */
export function secretFor(item: FetchItem, secrets: Readonly<Record<string, string>>): string | null {
  if (item.secretName === null) return null;
  const v = secrets[item.secretName];
  return v === undefined || v === '' ? null : v;
}
