/** renderPlanText on a small hand-made plan: the whole text, line for line. */
import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../../orchestrator/plan/render-plan.js';
import type { BuildPlan, PlanStep } from '../../../orchestrator/plan/types.js';

const base = {
  description: 'd',
  secretEnv: [],
  inputs: [],
  outputs: [],
  timeoutSeconds: 60,
} as const;

const STEPS: PlanStep[] = [
  {
    ...base,
    id: 'fetch',
    kind: 'fetch',
    description: 'download',
    gpus: 0,
    secretEnv: ['hf_access_token', 'aws_key'],
    image: null,
    argv: [],
    items: [
      {
        role: 'checkpoint',
        name: null,
        source: 'HF',
        repo: 'org/m',
        revision: 'v1',
        repoType: 'model',
        secretName: null,
        dest: '/w/c',
      },
      {
        role: 'lora_adapter',
        name: 'ad',
        source: 'S3',
        repo: 's3://b/a',
        revision: null,
        repoType: 'model',
        secretName: null,
        dest: '/w/a',
      },
    ],
  },
  { ...base, id: 'convert', kind: 'convert', gpus: 1, image: 'img:1', argv: ['python3', 'c.py', 'a b'] },
  { ...base, id: 'quantize', kind: 'quantize', gpus: 2, image: 'img:2', argv: ['q'] },
  { ...base, id: 'engine_build', kind: 'engine_build', gpus: 4, image: 'img:3', argv: ['trtllm-build'] },
  {
    ...base,
    id: 'publish',
    kind: 'publish',
    gpus: 0,
    image: null,
    argv: [],
    artifactDir: '/w/e',
    artifactKind: 'engine',
    tokenizerDir: '/w/c',
  },
  {
    ...base,
    id: 'publish2',
    kind: 'publish',
    gpus: 0,
    image: null,
    argv: [],
    artifactDir: '/w/n',
    artifactKind: 'none',
    tokenizerDir: null,
  },
];

const PLAN = {
  schemaVersion: 1,
  planHash: 'sha256:abc',
  stack: 'v1',
  baseModel: 'decoder',
  accelerator: { type: 'H100', count: 2, sm: 90 },
  builder: { gpuType: 'H100', gpuCount: 2 },
  lane: { name: 'v1-engine', trtllmVersion: '1.2.1', image: 'img:lane' },
  workspace: { mount: '/w', checkpointDir: '/w/c', artifactDir: '/w/e', launchDir: '/w/l' },
  steps: STEPS,
  launch: {
    serve: {
      server: 'trtllm-serve',
      image: 'img:serve',
      argv: ['trtllm-serve', '/m x'],
      files: [{ path: 'a.yaml', content: '  indented: 1\nb: 2\n\n' }],
    },
    other: { server: 'triton', image: 'img:t', argv: ['tritonserver'], files: [] },
  },
  assumptions: ['one', 'two'],
} as unknown as BuildPlan;

describe('renderPlanText, exactly', () => {
  it('every line of a plan with each kind of step', () =>
    expect(renderPlanText(PLAN)).toBe(
      [
        'plan sha256:abc',
        'stack v1 (v1-engine, TensorRT-LLM 1.2.1), base model decoder',
        'image img:lane',
        'target H100 x 2 (SM 90); builder H100 x 2',
        '',
        'steps:',
        '1. [fetch] download (no GPU, timeout 60s)',
        '   secrets (names): hf_access_token, aws_key',
        '   checkpoint: HF org/m@v1 -> /w/c',
        '   lora_adapter ad: S3 s3://b/a -> /w/a',
        '2. [convert] d (1 GPU, timeout 60s)',
        '   image: img:1',
        "   $ python3 c.py 'a b'",
        '3. [quantize] d (2 GPUs, timeout 60s)',
        '   image: img:2',
        '   $ q',
        '4. [engine_build] d (4 GPUs, timeout 60s)',
        '   image: img:3',
        '   $ trtllm-build',
        '5. [publish] d (no GPU, timeout 60s)',
        '   artifact (engine): /w/e',
        '   tokenizer from: /w/c',
        '6. [publish2] d (no GPU, timeout 60s)',
        '   artifact (none): /w/n',
        '',
        'launch configs:',
        '- serve (trtllm-serve):',
        '  image: img:serve',
        "  $ trtllm-serve '/m x'",
        '  file launch/a.yaml:',
        '      indented: 1',
        '    b: 2',
        '- other (triton):',
        '  image: img:t',
        '  $ tritonserver',
        '',
        'assumptions:',
        '- one',
        '- two',
        '',
      ].join('\n'),
    ));

  it('no assumptions section without assumptions', () => {
    const text = renderPlanText({ ...PLAN, assumptions: [] });
    expect(text.endsWith('  $ tritonserver\n')).toBe(true);
    expect(text).not.toContain('assumptions');
  });
});
