/** Shared helpers for the publish tests: a build directory, meta, and a store that records calls. */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LaunchFile } from '../../../orchestrator/plan/types.js';
import type { PublishBuildInput, PublishMeta } from '../../../orchestrator/storage/publish/publish-build.js';
import type { ArtifactStore, ObjectInfo } from '../../../orchestrator/storage/ports.js';

export const PLAN_HASH = `sha256:${'ab12'.repeat(16)}`;
export const NOW = new Date('2026-11-28T02:00:00.000Z');

/** Writes a small engine directory; returns the files written (relative path → bytes). */
export async function makeBuildDir(
  dir: string,
  sizes: Readonly<Record<string, number>> = {},
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>([
    ['rank0.engine', randomBytes(sizes['rank0.engine'] ?? 200_000)],
    ['rank1.engine', randomBytes(sizes['rank1.engine'] ?? 150_000)],
    ['config.json', Buffer.from(JSON.stringify({ builder_config: { precision: 'fp8' } }))],
    ['tokenizer/tokenizer.json', Buffer.from('{"model":{"type":"BPE"}}')],
  ]);
  for (const [rel, bytes] of files) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), bytes);
  }
  return files;
}

export const LAUNCH_FILES: readonly LaunchFile[] = [
  { path: 'extra_llm_api_options.yaml', content: 'kv_cache_config:\n  free_gpu_memory_fraction: 0.9\n' },
  { path: 'triton/config.pbtxt', content: 'name: "tensorrt_llm"\n' },
];

export function makeMeta(config: unknown = { model_name: 'tiny' }): PublishMeta {
  return {
    artifactKind: 'engine',
    lane: { name: 'v1-engine', image: 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0', trtllmVersion: '1.2.0' },
    gpu: { type: 'H100', sm: 90, count: 2 },
    sources: [
      {
        role: 'checkpoint',
        name: null,
        source: 'HF',
        repo: 'acme/tiny-llm',
        requestedRevision: 'main',
        resolvedRevision: 'a'.repeat(40),
      },
    ],
    launch: { 'trtllm-serve': { server: 'trtllm-serve', argv: ['trtllm-serve', '/engine', '--tp_size', '2'] } },
    config,
  };
}

export interface RecordedCall {
  readonly op: 'putFile' | 'putBytes' | 'getBytes' | 'head' | 'list' | 'delete';
  readonly key: string;
}

/** Wraps a store, recording every call; `beforePut` may throw to inject a failure. */
export function recordingStore(
  inner: ArtifactStore,
  beforePut: (key: string, n: number) => Promise<void> | void = () => undefined,
): ArtifactStore & { readonly calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  let puts = 0;
  return {
    url: inner.url,
    calls,
    async putFile(key: string, filePath: string): Promise<ObjectInfo> {
      calls.push({ op: 'putFile', key });
      await beforePut(key, puts++);
      return inner.putFile(key, filePath);
    },
    async putBytes(key: string, body: Uint8Array | string, contentType?: string): Promise<ObjectInfo> {
      calls.push({ op: 'putBytes', key });
      await beforePut(key, puts++);
      return inner.putBytes(key, body, contentType);
    },
    getBytes(key: string) {
      calls.push({ op: 'getBytes', key });
      return inner.getBytes(key);
    },
    head(key: string) {
      calls.push({ op: 'head', key });
      return inner.head(key);
    },
    list(prefix: string) {
      calls.push({ op: 'list', key: prefix });
      return inner.list(prefix);
    },
    delete(key: string) {
      calls.push({ op: 'delete', key });
      return inner.delete(key);
    },
  };
}

/** A publishBuild input for the standard test build in `sourceDir`, with overrides. */
export function publishInput(
  store: ArtifactStore,
  sourceDir: string,
  over: Partial<PublishBuildInput> = {},
): PublishBuildInput {
  return { store, planHash: PLAN_HASH, sourceDir, launchFiles: LAUNCH_FILES, meta: makeMeta(), now: NOW, ...over };
}
