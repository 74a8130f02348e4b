/** Step constructors shared by every plan shape: fetch, container steps and publish. */
import type { CheckpointRepository } from '../config/schema/checkpoint.js';
import type { TrtLlmBuild } from '../config/schema/build.js';
import { WORKSPACE, calibrationDatasetDir, loraAdapterDir } from '../toolchain/layout.js';
import type { PlannerOptions } from './planner-options.js';
import { stepTimeout } from './planner-options.js';
import type { ContainerStep, FetchItem, FetchStep, PublishStep } from './types.js';

/** The secret a repository needs, when the config declares it (names only, never values). */
function secretFor(repo: CheckpointRepository, secretNames: readonly string[]): string | null {
  return secretNames.includes(repo.runtime_secret_name) ? repo.runtime_secret_name : null;
}

/** What to download: checkpoint, adapters (in name order) and, when calibrating, the dataset. */
export function fetchItems(
  build: TrtLlmBuild,
  checkpoint: CheckpointRepository,
  calibrate: boolean,
  secretNames: readonly string[],
): FetchItem[] {
  const items: FetchItem[] = [
    {
      role: 'checkpoint',
      name: null,
      source: checkpoint.source,
      repo: checkpoint.repo,
      revision: checkpoint.revision,
      repoType: 'model',
      secretName: secretFor(checkpoint, secretNames),
      dest: WORKSPACE.checkpointDir,
    },
  ];
  const adapters = build.lora_adapters ?? {};
  Object.keys(adapters)
    .sort()
    .forEach((name, i) => {
      const a = adapters[name] as CheckpointRepository;
      items.push({
        role: 'lora_adapter',
        name,
        source: a.source,
        repo: a.repo,
        revision: a.revision,
        repoType: 'model',
        secretName: secretFor(a, secretNames),
        dest: loraAdapterDir(i),
      });
    });
  if (calibrate) {
    items.push({
      role: 'calibration_dataset',
      name: null,
      source: 'HF',
      repo: build.quantization_config.calib_dataset,
      revision: null,
      repoType: 'dataset',
      // An HF dataset: the HF token the checkpoint uses, else the default HF secret when declared.
      secretName:
        checkpoint.source === 'HF'
          ? secretFor(checkpoint, secretNames)
          : secretNames.includes('hf_access_token')
            ? 'hf_access_token'
            : null,
      dest: calibrationDatasetDir(build.quantization_config.calib_dataset),
    });
  }
  return items;
}

/** The fetch step for these items. */
export function fetchStep(items: readonly FetchItem[], options: PlannerOptions | undefined): FetchStep {
  const secrets = [...new Set(items.flatMap((i) => (i.secretName ? [i.secretName] : [])))].sort();
  const roles = [...new Set(items.map((i) => i.role.replace('_', ' ')))].join(', ');
  return {
    id: 'fetch',
    kind: 'fetch',
    description: `download ${roles} before any GPU step`,
    gpus: 0,
    secretEnv: secrets,
    inputs: [],
    outputs: items.map((i) => i.dest),
    timeoutSeconds: stepTimeout(options, 'fetch'),
    image: null,
    argv: [],
    items,
  };
}

/** One argv run inside the lane's container; container steps never need secrets or the network. */
export function containerStep(
  kind: ContainerStep['kind'],
  image: string,
  argv: readonly string[],
  gpus: number,
  io: { inputs: readonly string[]; outputs: readonly string[]; description: string },
  options: PlannerOptions | undefined,
): ContainerStep {
  return {
    id: kind,
    kind,
    description: io.description,
    gpus,
    secretEnv: [],
    inputs: io.inputs,
    outputs: io.outputs,
    timeoutSeconds: stepTimeout(options, kind),
    image,
    argv,
  };
}

/** The publish step: artifact, tokenizer and launch files, manifest last. */
export function publishStep(
  artifactKind: PublishStep['artifactKind'],
  artifactDir: string,
  tokenizerDir: string | null,
  options: PlannerOptions | undefined,
): PublishStep {
  const inputs = [...new Set([artifactDir, ...(tokenizerDir ? [tokenizerDir] : []), WORKSPACE.launchDir])];
  const what = artifactKind === 'none' ? 'launch configs' : `${artifactKind}, launch configs`;
  return {
    id: 'publish',
    kind: 'publish',
    description: `upload ${what}${tokenizerDir ? ', tokenizer' : ''}; write manifest.json last`,
    gpus: 0,
    secretEnv: [],
    inputs,
    outputs: [],
    timeoutSeconds: stepTimeout(options, 'publish'),
    image: null,
    argv: [],
    artifactDir,
    artifactKind,
    tokenizerDir,
  };
}
