/**
 * The published-build manifest: the one object whose existence makes a build "published". It lists
 * every file with size and sha256 and records what produced them. Schema and type share a name.
 *
 * Layout under the store (`<hex>` = the plan hash without `sha256:`):
 *   builds/<hex>/artifact/…       engine or checkpoint files, as in the build's artifact dir
 *   builds/<hex>/tokenizer/…      the checkpoint's tokenizer and HF config files (bundle/layout.ts)
 *   builds/<hex>/launch/…         launch configs (e.g. extra_llm_api_options.yaml, config.pbtxt)
 *   builds/<hex>/manifest.json    written last
 */
import { z } from 'zod';
import { GPU_TYPES } from '../../gpu/catalog.js';
import { objectKeyProblem } from '../artifacts/object-key.js';
import { PublishError } from './errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const ARTIFACT_DIR = 'artifact';
export const LAUNCH_DIR = 'launch';
const PLAN_HASH = /^sha256:([0-9a-f]{64})$/;

/** A path relative to the build prefix, e.g. `artifact/rank0.engine`. */
const RelativePath = z.string().superRefine((path, ctx) => {
  const problem = objectKeyProblem(path);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `invalid file path: ${problem}` });
  else if (path === MANIFEST_FILE) ctx.addIssue({ code: 'custom', message: `"${MANIFEST_FILE}" is reserved` });
});

export const ManifestFile = z.object({
  path: RelativePath,
  /** Bytes. */
  size: z.number().int().nonnegative(),
  /** Lower-case hex sha256 of the content. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

/** One input the build consumed (checkpoint, LoRA adapter, calibration dataset). */
export const ManifestSource = z.object({
  role: z.enum(['checkpoint', 'lora_adapter', 'calibration_dataset']),
  name: z.string().nullable(),
  source: z.enum(['HF', 'S3', 'GCS', 'AZURE', 'REMOTE_URL', 'BASETEN_TRAINING']),
  repo: z.string(),
  requestedRevision: z.string().nullable(),
  /** Immutable identity the fetch resolved to (HF commit sha, ETags digest, URL digest). */
  resolvedRevision: z.string().min(1),
});
export type ManifestSource = z.infer<typeof ManifestSource>;

export const BuildManifest = z
  .object({
    schemaVersion: z.literal(1),
    planHash: z.string().regex(PLAN_HASH, 'expected sha256: followed by 64 lower-case hex digits'),
    /** ISO-8601 UTC time the publish started (injected clock). */
    createdAt: z.iso.datetime(),
    artifactKind: z.enum(['engine', 'checkpoint']),
    lane: z.object({
      name: z.enum(['v1-engine', 'v2-pytorch']),
      image: z.string().min(1),
      trtllmVersion: z.string().min(1),
    }),
    gpu: z.object({ type: z.enum(GPU_TYPES), sm: z.number().int().positive(), count: z.number().int().positive() }),
    sources: z.array(ManifestSource),
    /** Launch commands by name (server + argv), secrets removed. */
    launch: z.record(
      z.string(),
      z.object({ server: z.string(), image: z.string().optional(), argv: z.array(z.string()) }),
    ),
    /** The build config with secrets removed. */
    config: z.json(),
    /** Every published file except the manifest, sorted by path. */
    files: z.array(ManifestFile),
    totalBytes: z.number().int().nonnegative(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    for (const [i, f] of m.files.entries()) {
      if (seen.has(f.path))
        ctx.addIssue({
          code: 'custom',
          path: ['files', i, 'path'],
          message: `duplicate path ${JSON.stringify(f.path)}`,
        });
      seen.add(f.path);
    }
    const total = m.files.reduce((sum, f) => sum + f.size, 0);
    if (total !== m.totalBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['totalBytes'],
        message: `expected ${total} (sum of file sizes), got ${m.totalBytes}`,
      });
  });
export type BuildManifest = z.infer<typeof BuildManifest>;

/** The 64-hex part of a plan hash, or null when `planHash` is not `sha256:<64 hex>`. */
export function planHashHex(planHash: unknown): string | null {
  if (typeof planHash !== 'string') return null;
  return PLAN_HASH.exec(planHash)?.[1] ?? null;
}

/** Key prefix of a published build: `builds/<hex>/`. Throws `INVALID_PLAN_HASH` on a malformed hash. */
export function buildPrefix(planHash: string): string {
  const hex = planHashHex(planHash);
  if (hex === null) {
    const shown = typeof planHash === 'string' ? JSON.stringify(planHash.slice(0, 80)) : `(${typeof planHash})`;
    throw new PublishError('INVALID_PLAN_HASH', `invalid plan hash ${shown}: expected sha256:<64 lower-case hex>`);
  }
  return `builds/${hex}/`;
}

/** Key of a build's manifest: `builds/<hex>/manifest.json`. */
export function manifestKey(planHash: string): string {
  return `${buildPrefix(planHash)}${MANIFEST_FILE}`;
}

/** Same files (path, size, sha256), order-insensitive. */
export function sameFiles(a: readonly ManifestFile[], b: readonly ManifestFile[]): boolean {
  if (a.length !== b.length) return false;
  const byPath = new Map(a.map((f) => [f.path, f]));
  return b.every((f) => {
    const other = byPath.get(f.path);
    return other !== undefined && other.size === f.size && other.sha256 === f.sha256;
  });
}
