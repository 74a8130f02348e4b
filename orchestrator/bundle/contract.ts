/**
 * The bundle contract: from a plan, what the published bundle holds and, for each launch config,
 * the bundle paths it refers to and the files those paths must resolve to. `checkBundle` holds a
 * list of bundle files (planned or published) to the contract. Pure.
 */
import type { BuildPlan, LaunchConfig } from '../plan/types.js';
import {
  BUNDLE_ARTIFACT_DIR,
  BUNDLE_LAUNCH_DIR,
  BUNDLE_MOUNT,
  BUNDLE_TOKENIZER_DIR,
  TOKENIZER_VOCAB_FILES,
} from './layout.js';

/** One rule a bundle must satisfy: a file, one of several files, or a file under a directory. */
export type Requirement =
  | { readonly kind: 'file'; readonly path: string; readonly why: string }
  | { readonly kind: 'any_of'; readonly paths: readonly string[]; readonly why: string }
  | { readonly kind: 'file_under'; readonly dir: string; readonly suffix?: string; readonly why: string };

/** What one launch config needs from the bundle. */
export interface LaunchNeeds {
  /** Bundle paths (files or directories) the argv and launch files name, e.g. `launch/x.yaml`, `tokenizer`. */
  readonly refs: readonly string[];
  readonly requires: readonly Requirement[];
}

export interface BundleContract {
  /** `engine` or `checkpoint` (HF dir); `external`: the plan publishes no model (v2 skip_build_result). */
  readonly artifact: 'engine' | 'checkpoint' | 'external';
  /** Whether publishing copies tokenizer files into `tokenizer/`. */
  readonly tokenizer: boolean;
  /** Every launch file, as bundle paths (`launch/…`). */
  readonly launchFiles: readonly string[];
  readonly launches: Readonly<Record<string, LaunchNeeds>>;
}

/** One way a bundle breaks the contract. */
export interface BundleProblem {
  readonly launch: string;
  readonly message: string;
}

const LORA_REF = new RegExp(`^${BUNDLE_ARTIFACT_DIR}/lora/\\d+$`);
const MOUNT_PATH = new RegExp(`${BUNDLE_MOUNT}(/[A-Za-z0-9._/-]*)?`, 'g');

/** The bundle paths (`artifact/lora/0`, `launch`, …) named in a text; `` for the mount itself. */
function bundleRefs(text: string): string[] {
  return [...text.matchAll(MOUNT_PATH)].map((m) => (m[1] ?? '').replace(/^\/+|\/+$/g, ''));
}

/** tp × pp of the engine, from the step that writes the TensorRT-LLM checkpoint (1 when none). */
function engineWorldSize(plan: BuildPlan): number {
  const step = plan.steps.find((s) => s.kind === 'convert' || s.kind === 'quantize');
  const flag = (name: string): number => {
    const argv = step?.argv ?? [];
    const i = argv.indexOf(name);
    const n = i >= 0 ? Number(argv[i + 1]) : 1;
    return Number.isInteger(n) && n > 0 ? n : 1;
  };
  return flag('--tp_size') * flag('--pp_size');
}

function artifactRequirements(plan: BuildPlan, artifact: BundleContract['artifact']): Requirement[] {
  const a = BUNDLE_ARTIFACT_DIR;
  if (artifact === 'engine') {
    const ranks = Array.from(
      { length: engineWorldSize(plan) },
      (_, r): Requirement => ({ kind: 'file', path: `${a}/rank${r}.engine`, why: `engine rank ${r}` }),
    );
    return [
      { kind: 'file', path: `${a}/config.json`, why: 'the engine config (trtllm-build writes it next to the ranks)' },
      ...ranks,
    ];
  }
  if (artifact === 'checkpoint') {
    const quantized = plan.steps.some((s) => s.kind === 'quantize');
    return [
      { kind: 'file', path: `${a}/config.json`, why: 'the Hugging Face config of the checkpoint' },
      { kind: 'file_under', dir: a, suffix: '.safetensors', why: 'weights (*.safetensors)' },
      ...(quantized
        ? [
            {
              kind: 'file',
              path: `${a}/hf_quant_config.json`,
              why: 'a ModelOpt unified HF checkpoint (the PyTorch backend reads its quantization from it)',
            } as const,
          ]
        : []),
      {
        kind: 'any_of',
        paths: TOKENIZER_VOCAB_FILES.map((f) => `${a}/${f}`),
        why: 'the PyTorch backend loads the tokenizer from the model directory',
      },
    ];
  }
  return [];
}

function needsOf(plan: BuildPlan, launch: LaunchConfig, artifact: BundleContract['artifact']): LaunchNeeds {
  const texts = [...launch.argv, ...launch.files.map((f) => f.content)];
  const refs = [...new Set(texts.flatMap(bundleRefs))].sort();
  const requires: Requirement[] = [];
  const top = new Set(refs.map((r) => r.split('/')[0]));
  if (top.has(BUNDLE_ARTIFACT_DIR)) requires.push(...artifactRequirements(plan, artifact));
  for (const ref of refs.filter((r) => LORA_REF.test(r))) {
    // trtllm-build copies each --lora_dir into <engine>/lora/<i>; the server reads it as an HF adapter.
    if (artifact !== 'external')
      requires.push({
        kind: 'file',
        path: `${ref}/adapter_config.json`,
        why: 'a LoRA adapter (HF format) copied into the engine by trtllm-build',
      });
  }
  if (top.has(BUNDLE_TOKENIZER_DIR)) {
    requires.push({
      kind: 'any_of',
      paths: TOKENIZER_VOCAB_FILES.map((f) => `${BUNDLE_TOKENIZER_DIR}/${f}`),
      why: 'a tokenizer AutoTokenizer can load',
    });
  }
  if (launch.server === 'triton') {
    const model = `${BUNDLE_LAUNCH_DIR}/triton/tensorrt_llm`;
    requires.push(
      { kind: 'file', path: `${model}/config.pbtxt`, why: 'the Triton model config' },
      {
        kind: 'file_under',
        dir: `${model}/1`,
        why: 'Triton needs a numeric version directory (object stores drop empty ones)',
      },
    );
  }
  return { refs, requires };
}

/** The contract of the bundle a plan publishes. */
export function bundleContract(plan: BuildPlan): BundleContract {
  const publish = plan.steps.find((s) => s.kind === 'publish');
  const artifact = publish === undefined || publish.artifactKind === 'none' ? 'external' : publish.artifactKind;
  const launchFiles = [
    ...new Set(Object.values(plan.launch).flatMap((l) => l.files.map((f) => `${BUNDLE_LAUNCH_DIR}/${f.path}`))),
  ].sort();
  const launches: Record<string, LaunchNeeds> = {};
  for (const [name, launch] of Object.entries(plan.launch)) launches[name] = needsOf(plan, launch, artifact);
  return { artifact, tokenizer: publish !== undefined && publish.tokenizerDir != null, launchFiles, launches };
}

/**
 * The files a plan's bundle will contain when its steps write what they promise: the launch files,
 * the artifact files the contract requires, and (when published) the tokenizer's vocabulary file.
 */
export function plannedBundleFiles(plan: BuildPlan): string[] {
  const c = bundleContract(plan);
  const files = new Set(c.launchFiles);
  for (const needs of Object.values(c.launches)) {
    for (const r of needs.requires) {
      if (r.kind === 'file' && r.path.startsWith(`${BUNDLE_ARTIFACT_DIR}/`)) files.add(r.path);
      if (r.kind === 'file_under' && r.dir === BUNDLE_ARTIFACT_DIR)
        files.add(`${BUNDLE_ARTIFACT_DIR}/model${r.suffix ?? ''}`);
      if (r.kind === 'any_of' && r.paths[0]?.startsWith(`${BUNDLE_ARTIFACT_DIR}/`)) files.add(r.paths[0]);
    }
  }
  if (c.tokenizer) files.add(`${BUNDLE_TOKENIZER_DIR}/tokenizer.json`);
  return [...files].sort();
}

/** Whether `ref` (a bundle path) is a file in `files` or a directory holding one. */
function resolves(ref: string, files: ReadonlySet<string>, all: readonly string[]): boolean {
  if (ref === '') return all.length > 0;
  return files.has(ref) || all.some((f) => f.startsWith(`${ref}/`));
}

/**
 * Problems of a bundle (its file paths, relative to the bundle root) against the contract: a
 * referenced path that resolves to nothing, or a requirement no file meets. Refs into `artifact/`
 * of an external artifact are not checked (the model is supplied another way).
 */
export function checkBundle(contract: BundleContract, bundleFiles: readonly string[]): BundleProblem[] {
  const set = new Set(bundleFiles);
  const problems: BundleProblem[] = [];
  for (const [launch, needs] of Object.entries(contract.launches)) {
    for (const ref of needs.refs) {
      if (
        contract.artifact === 'external' &&
        (ref === BUNDLE_ARTIFACT_DIR || ref.startsWith(`${BUNDLE_ARTIFACT_DIR}/`))
      )
        continue;
      if (!resolves(ref, set, bundleFiles))
        problems.push({
          launch,
          message: `refers to ${BUNDLE_MOUNT}/${ref}, which is no file or directory of the bundle`,
        });
    }
    for (const r of needs.requires) {
      if (r.kind === 'file' && !set.has(r.path)) problems.push({ launch, message: `needs ${r.path} (${r.why})` });
      if (r.kind === 'any_of' && !r.paths.some((p) => set.has(p)))
        problems.push({ launch, message: `needs one of ${r.paths.join(', ')} (${r.why})` });
      if (
        r.kind === 'file_under' &&
        !bundleFiles.some((f) => f.startsWith(`${r.dir}/`) && f.endsWith(r.suffix ?? ''))
      ) {
        problems.push({ launch, message: `needs a file${r.suffix ? ` *${r.suffix}` : ''} under ${r.dir}/ (${r.why})` });
      }
    }
  }
  return problems;
}

/** Problems of a plan whose steps write what they promise: its launch configs must be servable. */
export function checkPlanBundle(plan: BuildPlan): BundleProblem[] {
  return checkBundle(bundleContract(plan), plannedBundleFiles(plan));
}
