/**
 * The Publisher port over an artifact store and the storage layer's `publishBuild`: files first,
 * `builds/<hex>/manifest.json` last; a plan counts as published when its manifest exists.
 */
import { isAbsolute, join, relative } from 'node:path';
import { bundleContract } from '../bundle/contract.js';
import type { LaunchFile } from '../plan/types.js';
import type { ArtifactsView } from '../records/build-view.js';
import type { Publisher, PublishInput, PublishOutcome } from '../queue/ports.js';
import { manifestSources } from '../storage/publish/manifest-sources.js';
import { buildPrefix, manifestKey } from '../storage/publish/manifest.js';
import { publishBuild } from '../storage/publish/publish-build.js';
import type { ArtifactStore } from '../storage/ports.js';

/** Where a plan's build lives in `store`. */
export function artifactsFor(store: ArtifactStore, planHash: string): ArtifactsView {
  return { store: store.url, prefix: buildPrefix(planHash), manifest: manifestKey(planHash) };
}

/** Resolves the plan's artifacts when its manifest exists, else null. */
export async function publishedIn(store: ArtifactStore, planHash: string): Promise<ArtifactsView | null> {
  const view = artifactsFor(store, planHash);
  return (await store.head(view.manifest)) ? view : null;
}

/** Maps a container path under the workspace mount to the host workspace; throws when it leaves it. */
export function hostPath(workspaceDir: string, mount: string, containerPath: string): string {
  const rel = relative(mount, containerPath);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw Object.assign(new Error(`artifact dir ${JSON.stringify(containerPath)} is outside the workspace ${mount}`), {
      code: 'PUBLISH_FAILED',
      retryable: false,
    });
  return join(workspaceDir, rel);
}

/** Launch files of every launch config, first one wins per path. */
export function launchFilesOf(input: PublishInput): LaunchFile[] {
  const byPath = new Map<string, LaunchFile>();
  for (const cfg of Object.values(input.plan.launch))
    for (const f of cfg.files) if (!byPath.has(f.path)) byPath.set(f.path, f);
  return [...byPath.values()];
}

/**
 * A Publisher writing to `store`. `secretValues` are scrubbed from everything written. A plan with
 * `artifactKind: 'none'` (v2 PyTorch lane) publishes its checkpoint as the artifact.
 */
export function storePublisher(store: ArtifactStore, secretValues: readonly string[], now: () => number): Publisher {
  return {
    published: (planHash) => publishedIn(store, planHash),
    async publish(input: PublishInput): Promise<PublishOutcome> {
      const { plan, step } = input;
      const kind = step.artifactKind === 'none' ? 'checkpoint' : step.artifactKind;
      const dir = step.artifactKind === 'none' ? plan.workspace.checkpointDir : step.artifactDir;
      const r = await publishBuild({
        store,
        planHash: plan.planHash,
        sourceDir: hostPath(input.workspaceDir, plan.workspace.mount, dir),
        tokenizerDir: step.tokenizerDir ? hostPath(input.workspaceDir, plan.workspace.mount, step.tokenizerDir) : null,
        launchFiles: launchFilesOf(input),
        // Refuse, before any upload, outputs that would leave a launch config unable to serve.
        bundle: bundleContract(plan),
        meta: {
          artifactKind: kind,
          lane: { name: plan.lane.name, image: plan.lane.image, trtllmVersion: plan.lane.trtllmVersion },
          gpu: { type: plan.accelerator.type, sm: plan.accelerator.sm, count: plan.accelerator.count },
          sources: manifestSources(input.fetched),
          launch: plan.launch,
          config: input.config,
        },
        now: new Date(now()),
        secretValues,
      });
      return {
        alreadyPublished: r.status === 'already_published',
        artifacts: { store: store.url, prefix: r.prefix, manifest: r.manifestKey },
      };
    },
  };
}
