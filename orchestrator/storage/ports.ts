/**
 * Contracts of the storage layer: checkpoint sources (fetch) and artifact stores (publish).
 * Implementations live under storage/; the worker depends only on these types.
 */
import type { FetchItem } from '../plan/types.js';

export interface ResolvedFile {
  readonly path: string;
  readonly size: number;
  /** Content digest when the source provides one (e.g. HF LFS sha256), else null. */
  readonly sha256: string | null;
  /** Source-specific version tag (ETag, git oid) when available. */
  readonly etag: string | null;
}

/** A source reference pinned to an immutable identity (HF commit sha, ETags digest, URL digest). */
export interface ResolvedSource {
  readonly source: FetchItem['source'];
  readonly repo: string;
  readonly requestedRevision: string | null;
  /** Immutable identity, e.g. a 40-hex HF commit sha. */
  readonly resolvedRevision: string;
  readonly files: readonly ResolvedFile[];
}

export interface FetchProgress {
  readonly item: FetchItem;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface FetchContext {
  /** Host directory mounted at `workspaceMount`; `item.dest` paths are mapped under it. */
  readonly workspaceDir: string;
  readonly workspaceMount: string;
  /** Secret values by name (only those the items name). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly onProgress?: (p: FetchProgress) => void;
}

/** Result of fetching all of a plan's items: what was resolved, for the manifest. */
export interface FetchedItem {
  readonly item: FetchItem;
  readonly resolved: ResolvedSource;
  readonly fromCache: boolean;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly etag: string | null;
}

/** A place published builds live: S3 (`s3://bucket/prefix`) or a local directory (`file:///path`). */
export interface ArtifactStore {
  readonly url: string;
  putFile(key: string, filePath: string): Promise<ObjectInfo>;
  putBytes(key: string, body: Uint8Array | string, contentType?: string): Promise<ObjectInfo>;
  /** Returns null when the key does not exist. */
  getBytes(key: string): Promise<Uint8Array | null>;
  /** Returns null when the key does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  list(prefix: string): Promise<readonly ObjectInfo[]>;
  delete(key: string): Promise<void>;
}
