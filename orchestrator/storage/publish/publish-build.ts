/**
 * Publishes a build: uploads the artifact files, the tokenizer files and launch configs under
 * `builds/<hex>/` (the bundle layout of `bundle/`), then writes `manifest.json` LAST. With a
 * bundle contract, files that would leave a launch config unable to serve are refused before
 * anything is uploaded. Until the manifest exists nothing counts as published, so a failed
 * or interrupted publish leaves at most unreferenced objects behind, never a half-published build.
 * Re-publishing the same plan hash is idempotent: when the stored manifest lists the same files,
 * nothing is uploaded again ("already published"; missing objects are re-uploaded: "repaired").
 */
import { stat } from 'node:fs/promises';
import { checkBundle, type BundleContract } from '../../bundle/contract.js';
import { BUNDLE_TOKENIZER_DIR } from '../../bundle/layout.js';
import type { GpuType } from '../../gpu/catalog.js';
import type { Lane, LaunchFile } from '../../plan/types.js';
import { objectKeyProblem } from '../artifacts/object-key.js';
import type { ArtifactStore } from '../ports.js';
import { collectSourceFiles, type SourceFile } from './collect-source-files.js';
import { collectTokenizerFiles } from './collect-tokenizer-files.js';
import { PublishError } from './errors.js';
import { sha256Bytes, sha256File } from './hash-file.js';
import {
  ARTIFACT_DIR,
  BuildManifest,
  buildPrefix,
  LAUNCH_DIR,
  manifestKey,
  sameFiles,
  type ManifestFile,
  type ManifestSource,
} from './manifest.js';
import { readManifest } from './read-manifest.js';
import { containsCredential, redactConfig, redactString } from './redact-config.js';
import { mapLimit } from '../util/map-limit.js';

export interface PublishMeta {
  readonly artifactKind: 'engine' | 'checkpoint';
  readonly lane: Pick<Lane, 'name' | 'image' | 'trtllmVersion'>;
  readonly gpu: { readonly type: GpuType; readonly sm: number; readonly count: number };
  /** What the build consumed, pinned (see `manifestSources`). */
  readonly sources: readonly ManifestSource[];
  /** Launch commands by name (a plan's `launch` record fits). */
  readonly launch?: Readonly<
    Record<string, { readonly server: string; readonly image?: string; readonly argv: readonly string[] }>
  >;
  /** The build config; secrets are removed before it is written. */
  readonly config: unknown;
}

export interface PublishProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface PublishBuildInput {
  readonly store: ArtifactStore;
  readonly planHash: string;
  /** Host directory holding the artifact (engine or checkpoint files). */
  readonly sourceDir: string;
  /** Host directory of the source checkpoint: its tokenizer and HF config files go to `tokenizer/` (null: none). */
  readonly tokenizerDir?: string | null;
  /** Files published under `launch/`. */
  readonly launchFiles: readonly LaunchFile[];
  /** The plan's bundle contract (`bundleContract(plan)`): checked before anything is uploaded. */
  readonly bundle?: BundleContract;
  readonly meta: PublishMeta;
  /** Injected clock: becomes `createdAt`. */
  readonly now: Date;
  /** Secret values to scrub from everything written (in addition to pattern-based redaction). */
  readonly secretValues?: readonly string[];
  /** Files uploaded in parallel (default 4). */
  readonly concurrency?: number;
  /** Replace a stored manifest that lists different files (default false: keep it). */
  readonly replace?: boolean;
  readonly onProgress?: (p: PublishProgress) => void;
  /** Cancels the publish between files (an upload in flight finishes); no manifest is written. */
  readonly signal?: AbortSignal;
}

export interface PublishResult {
  /**
   * `published`: uploaded and manifest written. `already_published`: a manifest was there; nothing
   * written (`differs` says whether it lists other files than this build). `repaired`: same
   * manifest, some objects were missing and were re-uploaded. `replaced`: `replace: true` swapped
   * a different manifest for this one.
   */
  readonly status: 'published' | 'already_published' | 'repaired' | 'replaced';
  readonly differs: boolean;
  readonly manifest: BuildManifest;
  readonly manifestKey: string;
  readonly prefix: string;
  readonly uploadedFiles: number;
  readonly uploadedBytes: number;
}

/** A host file and its path in the bundle. */
interface Entry {
  readonly path: string;
  readonly src: SourceFile;
}

interface UploadItem {
  /** Path under the build prefix (`artifact/…`, `tokenizer/…` or `launch/…`). */
  readonly path: string;
  readonly size: number;
  readonly source: SourceFile | null;
  readonly content: string | null;
}

/** Uploads a build's files, then its manifest (see the module comment). */
export async function publishBuild(input: PublishBuildInput): Promise<PublishResult> {
  const prefix = buildPrefix(input.planHash);
  const mKey = manifestKey(input.planHash);
  const secrets = input.secretValues ?? [];
  const concurrency = input.concurrency ?? 4;
  input.signal?.throwIfAborted();
  const launch = launchItems(input.launchFiles, secrets);
  const artifactFiles = await collectSourceFiles(input.sourceDir);
  if (artifactFiles.length === 0)
    throw new PublishError('EMPTY_ARTIFACT', `source directory ${JSON.stringify(input.sourceDir)} holds no files`);
  const tokenizerFiles = input.tokenizerDir ? await collectTokenizerFiles(input.tokenizerDir) : [];
  const entries: Entry[] = [
    ...artifactFiles.map((src) => ({ path: `${ARTIFACT_DIR}/${src.relPath}`, src })),
    ...tokenizerFiles.map((src) => ({ path: `${BUNDLE_TOKENIZER_DIR}/${src.relPath}`, src })),
  ];
  const sources = entries.map((e) => e.src);
  draftManifest(
    input,
    launch.map((l) => l.file),
    secrets,
  ); // validates meta before anything is written
  if (input.bundle) assertServable(input.bundle, [...entries.map((e) => e.path), ...launch.map((l) => l.file.path)]);
  const uploads: UploadItem[] = [
    ...entries.map((e) => ({ path: e.path, size: e.src.size, source: e.src, content: null })),
    ...launch.map((l) => l.item),
  ];
  const base = { manifestKey: mKey, prefix };

  const existing = await readManifest(input.store, input.planHash).catch((err: unknown) => {
    if (input.replace === true) return null; // a corrupt manifest is simply replaced
    throw err;
  });

  if (existing === null) {
    // Nothing to compare against: hash while uploading, so a publish costs max(hash, upload).
    if (input.replace === true) await input.store.delete(mKey); // a corrupt manifest stops counting first
    const [hashed, uploaded] = await Promise.allSettled([
      hashAll(entries, concurrency),
      uploadAll(input, prefix, uploads, concurrency),
    ]);
    if (hashed.status === 'rejected') throw hashed.reason;
    if (uploaded.status === 'rejected') throw uploaded.reason;
    const manifest = draftManifest(input, [...hashed.value, ...launch.map((l) => l.file)], secrets);
    await assertUnchanged(sources);
    input.signal?.throwIfAborted();
    await input.store.putBytes(mKey, manifestBody(manifest), 'application/json');
    if (input.replace === true) await deleteStale(input.store, prefix, manifest);
    return {
      ...base,
      status: 'published',
      differs: false,
      manifest,
      uploadedFiles: uploads.length,
      uploadedBytes: uploaded.value,
    };
  }

  const manifest = draftManifest(
    input,
    [...(await hashAll(entries, concurrency)), ...launch.map((l) => l.file)],
    secrets,
  );
  if (sameFiles(existing.files, manifest.files)) {
    const missing = await missingItems(input.store, prefix, uploads, concurrency);
    if (missing.length === 0)
      return {
        ...base,
        status: 'already_published',
        differs: false,
        manifest: existing,
        uploadedFiles: 0,
        uploadedBytes: 0,
      };
    const bytes = await uploadAll(input, prefix, missing, concurrency);
    await assertUnchanged(sources);
    return {
      ...base,
      status: 'repaired',
      differs: false,
      manifest: existing,
      uploadedFiles: missing.length,
      uploadedBytes: bytes,
    };
  }
  if (input.replace !== true) {
    return {
      ...base,
      status: 'already_published',
      differs: true,
      manifest: existing,
      uploadedFiles: 0,
      uploadedBytes: 0,
    };
  }
  await input.store.delete(mKey); // unpublish before touching any of its files
  const uploadedBytes = await uploadAll(input, prefix, uploads, concurrency);
  await assertUnchanged(sources);
  input.signal?.throwIfAborted();
  await input.store.putBytes(mKey, manifestBody(manifest), 'application/json');
  await deleteStale(input.store, prefix, manifest);
  return { ...base, status: 'replaced', differs: true, manifest, uploadedFiles: uploads.length, uploadedBytes };
}

function manifestBody(manifest: BuildManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function hashAll(entries: readonly Entry[], concurrency: number): Promise<ManifestFile[]> {
  return mapLimit(entries, concurrency, async ({ path, src }): Promise<ManifestFile> => {
    const digest = await sha256File(src.absPath, src.size);
    if (digest.size !== src.size) throw changed(src);
    return { path, size: digest.size, sha256: digest.sha256 };
  });
}

/** Refuses files that break the bundle contract (a launch config would not serve). */
function assertServable(bundle: BundleContract, paths: readonly string[]): void {
  const problems = checkBundle(bundle, paths);
  if (problems.length === 0) return;
  const shown = problems
    .slice(0, 5)
    .map((p) => `launch ${p.launch} ${p.message}`)
    .join('; ');
  throw new PublishError(
    'BUNDLE_INCOMPLETE',
    `the build outputs would not serve: ${shown}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}; nothing was published`,
  );
}

function launchItems(
  files: readonly LaunchFile[],
  secrets: readonly string[],
): { file: ManifestFile; item: UploadItem }[] {
  const list: unknown = files;
  if (!Array.isArray(list)) throw new PublishError('INVALID_INPUT', 'launchFiles must be an array');
  const seen = new Set<string>();
  return files.map((f, i) => {
    const raw = f as Partial<LaunchFile> | null;
    if (typeof raw?.content !== 'string' || typeof raw.path !== 'string') {
      throw new PublishError('INVALID_INPUT', `launchFiles[${i}] must have a string path and string content`);
    }
    const problem = objectKeyProblem(raw.path);
    if (problem !== null)
      throw new PublishError(
        'INVALID_INPUT',
        `launchFiles[${i}].path ${JSON.stringify(raw.path.slice(0, 80))} ${problem}`,
        raw.path,
      );
    if (seen.has(raw.path))
      throw new PublishError(
        'INVALID_INPUT',
        `launchFiles[${i}].path ${JSON.stringify(raw.path)} appears twice`,
        raw.path,
      );
    seen.add(raw.path);
    if (containsCredential(raw.content, secrets)) {
      throw new PublishError(
        'SECRET_IN_LAUNCH_FILE',
        `launchFiles[${i}] (${JSON.stringify(raw.path)}) contains a secret or credential-looking value; refusing to publish it`,
        raw.path,
      );
    }
    const digest = sha256Bytes(raw.content);
    const path = `${LAUNCH_DIR}/${raw.path}`;
    return {
      file: { path, size: digest.size, sha256: digest.sha256 },
      item: { path, size: digest.size, source: null, content: raw.content },
    };
  });
}

function draftManifest(input: PublishBuildInput, files: ManifestFile[], secrets: readonly string[]): BuildManifest {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const m = input.meta;
  const draft = {
    schemaVersion: 1,
    planHash: input.planHash,
    createdAt: Number.isNaN(input.now.getTime()) ? 'invalid date' : input.now.toISOString(),
    artifactKind: m.artifactKind,
    lane: { name: m.lane.name, image: redactString(m.lane.image, secrets), trtllmVersion: m.lane.trtllmVersion },
    gpu: { type: m.gpu.type, sm: m.gpu.sm, count: m.gpu.count },
    sources: redactConfig(m.sources, { secretValues: secrets }),
    launch: redactConfig(m.launch ?? {}, { secretValues: secrets }),
    config: redactConfig(m.config, { secretValues: secrets }),
    files: sorted,
    totalBytes: sorted.reduce((sum, f) => sum + f.size, 0),
  };
  const parsed = BuildManifest.safeParse(draft);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PublishError('INVALID_INPUT', `cannot build a valid manifest: ${issues.join('; ')}`);
  }
  return parsed.data;
}

async function missingItems(
  store: ArtifactStore,
  prefix: string,
  items: readonly UploadItem[],
  concurrency: number,
): Promise<UploadItem[]> {
  const heads = await mapLimit(items, concurrency, (i) => store.head(prefix + i.path));
  return items.filter((item, idx) => heads[idx]?.size !== item.size);
}

async function uploadAll(
  input: PublishBuildInput,
  prefix: string,
  items: readonly UploadItem[],
  concurrency: number,
): Promise<number> {
  const bytesTotal = items.reduce((s, i) => s + i.size, 0);
  let filesDone = 0;
  let bytesDone = 0;
  // Largest first: keeps the parallel lanes busy until the end.
  const ordered = [...items].sort((a, b) => b.size - a.size);
  await mapLimit(ordered, concurrency, async (item) => {
    input.signal?.throwIfAborted();
    const key = prefix + item.path;
    if (item.source !== null) await input.store.putFile(key, item.source.absPath);
    else await input.store.putBytes(key, item.content ?? '', 'text/plain; charset=utf-8');
    filesDone++;
    bytesDone += item.size;
    input.onProgress?.({ filesDone, filesTotal: items.length, bytesDone, bytesTotal });
  });
  return bytesTotal;
}

async function assertUnchanged(sources: readonly SourceFile[]): Promise<void> {
  for (const src of sources) {
    const now = await stat(src.absPath).catch(() => null);
    if (now === null || now.size !== src.size || now.mtimeMs !== src.mtimeMs) throw changed(src);
  }
}

async function deleteStale(store: ArtifactStore, prefix: string, manifest: BuildManifest): Promise<void> {
  const keep = new Set(manifest.files.map((f) => prefix + f.path));
  keep.add(manifestKey(manifest.planHash));
  for (const obj of await store.list(prefix)) {
    if (!keep.has(obj.key)) await store.delete(obj.key);
  }
}

function changed(src: SourceFile): PublishError {
  return new PublishError(
    'SOURCE_CHANGED',
    `${JSON.stringify(src.relPath)} changed while it was being published; nothing was published`,
    src.relPath,
  );
}
