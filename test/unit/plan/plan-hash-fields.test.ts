// The plan hash, field by field: every field that changes what is built or published changes the
// hash on its own (one edit per row, on a real plan), and the fields that do not, do not.
import { beforeAll, describe, expect, it } from 'vitest';
import { planHash } from '../../../orchestrator/plan/plan-hash.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import { V1, plan } from './fixtures.js';

type Draft = Record<string, unknown>;
type Edit = (draft: Draft) => void;

// Planned and hashed inside the tests, never at import: a mutant that makes planning or hashing
// throw must fail tests, not stop the file from loading (Stryker counts a file that fails to load
// as "no tests", i.e. a survivor).
let planned: BuildPlan | undefined;
function thePlan(): BuildPlan {
  planned ??= plan(V1);
  return planned;
}

/** The plan without its hash, deep-copied, so an edit never leaks into the next row. */
function draft(): Draft {
  const { planHash: _hash, ...rest } = structuredClone<BuildPlan>(thePlan());
  return rest;
}
function hashOf(edit: Edit): string {
  const d = draft();
  edit(d);
  return planHash(d as unknown as Omit<BuildPlan, 'planHash'>);
}
const at = (d: Draft, ...path: Array<string | number>): Draft => path.reduce<Draft>((o, k) => o[k] as Draft, d);
const step = (d: Draft, id: string): Draft => (d['steps'] as Draft[]).find((s) => s['id'] === id) as Draft;
const set =
  (path: Array<string | number>, value: unknown): Edit =>
  (d) => {
    at(d, ...path.slice(0, -1))[path.at(-1) as string] = value;
  };
const setStep =
  (id: string, key: string, value: unknown): Edit =>
  (d) => {
    step(d, id)[key] = value;
  };
const fetchItem =
  (i: number, key: string, value: unknown): Edit =>
  (d) => {
    (step(d, 'fetch')['items'] as Draft[])[i]![key] = value;
  };

const CHANGES: ReadonlyArray<readonly [string, Edit]> = [
  ['schemaVersion', set(['schemaVersion'], 2)],
  ['stack', set(['stack'], 'v2')],
  ['baseModel', set(['baseModel'], 'encoder')],
  ['accelerator.type', set(['accelerator', 'type'], 'H200')],
  ['accelerator.count', set(['accelerator', 'count'], 2)],
  ['accelerator.sm', set(['accelerator', 'sm'], 89)],
  ['builder.gpuType', set(['builder', 'gpuType'], 'H200')],
  ['builder.gpuCount', set(['builder', 'gpuCount'], 2)],
  ['lane.name', set(['lane', 'name'], 'v2-pytorch')],
  ['lane.registry', set(['lane', 'registry'], 'registry.example')],
  ['lane.repository', set(['lane', 'repository'], 'other/repo')],
  ['lane.tag', set(['lane', 'tag'], '1.2.0')],
  ['lane.digest', set(['lane', 'digest'], `sha256:${'a'.repeat(64)}`)],
  ['lane.trtllmVersion', set(['lane', 'trtllmVersion'], '1.2.0')],
  ['lane.stepsImage', set(['lane', 'stepsImage'], 'steps.example/x:1')],
  ['lane.tritonImage', set(['lane', 'tritonImage'], null)],
  ['workspace.mount', set(['workspace', 'mount'], '/ws')],
  ['workspace.checkpointDir', set(['workspace', 'checkpointDir'], '/workspace/ckpt')],
  ['workspace.artifactDir', set(['workspace', 'artifactDir'], '/workspace/out')],
  ['workspace.launchDir', set(['workspace', 'launchDir'], '/workspace/l')],
  [
    'step order',
    (d) => {
      (d['steps'] as Draft[]).reverse();
    },
  ],
  [
    'a step removed',
    (d) => {
      (d['steps'] as Draft[]).splice(1, 1);
    },
  ],
  ['step id', setStep('quantize', 'id', 'quantize-2')],
  ['step kind', setStep('quantize', 'kind', 'convert')],
  ['step image', setStep('quantize', 'image', 'nvcr.io/nvidia/tensorrt-llm/release:1.2.0')],
  [
    'step argv: one flag more',
    (d) => {
      (step(d, 'engine_build')['argv'] as string[]).push('--gather_all_token_logits');
    },
  ],
  [
    'step argv: one value changed',
    (d) => {
      const argv = step(d, 'engine_build')['argv'] as string[];
      argv[argv.indexOf('--max_batch_size') + 1] = '65';
    },
  ],
  [
    'step argv: two values swapped',
    (d) => {
      const argv = step(d, 'engine_build')['argv'] as string[];
      [argv[1], argv[2]] = [argv[2] as string, argv[1] as string];
    },
  ],
  ['step gpus', setStep('engine_build', 'gpus', 2)],
  ['step inputs', setStep('engine_build', 'inputs', ['/workspace/other'])],
  ['step outputs', setStep('engine_build', 'outputs', ['/workspace/other'])],
  ['fetch step inputs', setStep('fetch', 'inputs', ['/x'])],
  ['fetch item role', fetchItem(0, 'role', 'lora_adapter')],
  ['fetch item name', fetchItem(0, 'name', 'adapter')],
  ['fetch item source', fetchItem(0, 'source', 'S3')],
  ['fetch item repo', fetchItem(0, 'repo', 'meta-llama/Llama-3.1-70B-Instruct')],
  ['fetch item revision', fetchItem(0, 'revision', 'refs/pr/1')],
  ['fetch item repoType', fetchItem(1, 'repoType', 'model')],
  ['fetch item dest', fetchItem(1, 'dest', '/workspace/calibration/dataset')],
  [
    'a fetch item removed',
    (d) => {
      (step(d, 'fetch')['items'] as Draft[]).pop();
    },
  ],
  ['publish artifactDir', setStep('publish', 'artifactDir', '/workspace/checkpoint')],
  ['publish artifactKind', setStep('publish', 'artifactKind', 'checkpoint')],
  ['publish tokenizerDir', setStep('publish', 'tokenizerDir', null)],
  ['publish tokenizerDir path', setStep('publish', 'tokenizerDir', '/workspace/tokenizer')],
  ['publish gpus', setStep('publish', 'gpus', 1)],
  [
    'a launch config removed',
    (d) => {
      delete (d['launch'] as Draft)['triton'];
    },
  ],
  [
    'a launch config added',
    (d) => {
      (d['launch'] as Draft)['encoder'] = { server: 'trt-encoder-server', image: 'x:1', argv: [], files: [] };
    },
  ],
  [
    'a launch file added',
    (d) => {
      (at(d, 'launch', 'trtllm-serve')['files'] as Draft[]).push({ path: 'extra.yaml', content: '' });
    },
  ],
  [
    'launch server',
    (d) => {
      at(d, 'launch', 'trtllm-serve')['server'] = 'other';
    },
  ],
  [
    'launch image',
    (d) => {
      at(d, 'launch', 'trtllm-serve')['image'] = 'other:1';
    },
  ],
  [
    'launch argv',
    (d) => {
      (at(d, 'launch', 'trtllm-serve')['argv'] as string[]).push('--x');
    },
  ],
  [
    'launch file content',
    (d) => {
      const file = (at(d, 'launch', 'trtllm-serve')['files'] as Draft[])[0] as Draft;
      file['content'] = `${String(file['content'])}\n# edited`;
    },
  ],
  [
    'launch file path',
    (d) => {
      ((at(d, 'launch', 'trtllm-serve')['files'] as Draft[])[0] as Draft)['path'] = 'other.yaml';
    },
  ],
];

const SAME: ReadonlyArray<readonly [string, Edit]> = [
  ['step description', setStep('engine_build', 'description', 'something else')],
  ['step timeout', setStep('engine_build', 'timeoutSeconds', 1)],
  ['step secret names', setStep('fetch', 'secretEnv', ['other_token'])],
  ['fetch item secret name', fetchItem(0, 'secretName', 'other_token')],
  ['assumptions', set(['assumptions'], [])],
  ['lane.image (written from registry, repository, tag and digest, which are hashed)', set(['lane', 'image'], 'x:1')],
  ['fetch step description', setStep('fetch', 'description', 'something else')],
  ['container step secret names', setStep('quantize', 'secretEnv', ['other_token'])],
  ['publish step timeout', setStep('publish', 'timeoutSeconds', 1)],
];

describe('plan hash fields', () => {
  let base = '';
  beforeAll(() => {
    base = hashOf(() => undefined);
  });

  it('the unedited plan hashes to its own planHash', () => {
    expect(base).toBe(thePlan().planHash);
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('the plan under test has every step kind the rows edit', () => {
    expect(thePlan().steps.map((s) => s.id)).toEqual(['fetch', 'quantize', 'engine_build', 'publish']);
    expect(Object.keys(thePlan().launch).sort()).toEqual(['triton', 'trtllm-serve']);
    const publish = thePlan().steps.find((s) => s.kind === 'publish');
    expect(publish && 'tokenizerDir' in publish ? publish.tokenizerDir : undefined).toBe('/workspace/checkpoint');
  });

  it.each(CHANGES)('changes with %s', (_name, edit) => {
    expect(hashOf(edit)).not.toBe(base);
  });

  it('every changing row gives a different hash from every other', () => {
    const hashes = CHANGES.map(([, edit]) => hashOf(edit));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it.each(SAME)('ignores %s', (_name, edit) => {
    expect(hashOf(edit)).toBe(base);
  });

  it('a publish step without tokenizerDir hashes like one with null', () => {
    const withNull = hashOf(setStep('publish', 'tokenizerDir', null));
    const without = hashOf((d) => {
      delete step(d, 'publish')['tokenizerDir'];
    });
    expect(without).toBe(withNull);
    expect(without).not.toBe(base);
  });
});
