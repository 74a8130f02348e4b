/**
 * Checks a published build against its manifest: every listed file must exist with the listed
 * size and (unless `content: false`) the listed sha256, hashed while streaming when the store
 * supports it. Names each missing or altered file. Given the plan's bundle contract, the listed
 * files must also serve every launch config (tokenizer, engine ranks, Triton version dir, …).
 */
import { checkBundle, type BundleContract } from '../../bundle/contract.js';
import { canStream } from '../artifacts/readable-store.js';
import type { ArtifactStore } from '../ports.js';
import { sha256Bytes, sha256Stream } from './hash-file.js';
import { buildPrefix, MANIFEST_FILE, type BuildManifest } from './manifest.js';
import { readManifest } from './read-manifest.js';
import { mapLimit } from '../util/map-limit.js';

export interface VerifyProblem {
  /** Path relative to the build prefix, e.g. `artifact/rank0.engine` (or `manifest.json`). */
  readonly path: string;
  readonly problem: 'missing' | 'size' | 'sha256' | 'contract';
  /** For `contract`: which launch config and what it lacks. */
  readonly message?: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Null when the build has no manifest (then the only problem is `manifest.json` missing). */
  readonly manifest: BuildManifest | null;
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyOptions {
  /** Hash every file (default true); false checks presence and sizes only. */
  readonly content?: boolean;
  /** Files checked in parallel (default 4). */
  readonly concurrency?: number;
  /** The plan's bundle contract (`bundleContract(plan)`): the manifest's files must satisfy it. */
  readonly bundle?: BundleContract;
}

/** Verifies the build published under `planHash` (see the module comment). */
export async function verifyPublished(
  store: ArtifactStore,
  planHash: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const prefix = buildPrefix(planHash);
  const manifest = await readManifest(store, planHash);
  if (manifest === null) return { ok: false, manifest: null, problems: [{ path: MANIFEST_FILE, problem: 'missing' }] };
  const checkContent = options.content ?? true;
  const results = await mapLimit(
    manifest.files,
    options.concurrency ?? 4,
    async (file): Promise<VerifyProblem | null> => {
      const key = prefix + file.path;
      const head = await store.head(key);
      if (head === null) return { path: file.path, problem: 'missing' };
      if (head.size !== file.size) return { path: file.path, problem: 'size' };
      if (!checkContent) return null;
      const digest = await contentDigest(store, key);
      if (digest === null) return { path: file.path, problem: 'missing' };
      if (digest.size !== file.size) return { path: file.path, problem: 'size' };
      return digest.sha256 === file.sha256 ? null : { path: file.path, problem: 'sha256' };
    },
  );
  const problems = results.filter((p): p is VerifyProblem => p !== null);
  if (options.bundle) {
    const paths = manifest.files.map((f) => f.path);
    for (const p of checkBundle(options.bundle, paths))
      problems.push({ path: `launch:${p.launch}`, problem: 'contract', message: p.message });
  }
  return { ok: problems.length === 0, manifest, problems };
}

async function contentDigest(store: ArtifactStore, key: string): Promise<{ sha256: string; size: number } | null> {
  if (canStream(store)) {
    const stream = await store.getStream(key);
    return stream === null ? null : sha256Stream(stream);
  }
  const bytes = await store.getBytes(key);
  return bytes === null ? null : sha256Bytes(bytes);
}
